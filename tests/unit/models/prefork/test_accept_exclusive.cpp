// ExclusiveAcceptor (prefork's wait on every listener with EPOLLEXCLUSIVE): a client of any
// listener is accepted, the ready ones in turn, and a readable stop fd ends the wait.
// Loopback only.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <vector>

#include <catch2/catch.hpp>

#include "models/prefork/accept_exclusive.hpp"
#include "unit/server/sockets.hpp"

namespace {

struct Pipe {
    Pipe() { REQUIRE(::pipe2(fds.data(), O_CLOEXEC) == 0); }
    ~Pipe() {
        ::close(fds[0]);
        ::close(fds[1]);
    }
    std::array<int, 2> fds{};
};

std::uint16_t port_of(const server::Listener& l) { return test::local_port(l.fd()); }

}  // namespace

TEST_CASE("ExclusiveAcceptor accepts on every listener, in turn", "[prefork][listeners]") {
    const auto set = server::ListenerSet::bind({"127.0.0.1:0", "127.0.0.1:0"});
    set.set_nonblocking(true);  // as prefork's master leaves them
    const Pipe stop;
    server::ExclusiveAcceptor acceptor(set, stop.fds[0]);

    const auto lone = test::connect_loopback(port_of(set[1]));
    const server::Accepted a = acceptor.accept();
    REQUIRE(a.fd);
    CHECK(test::local_port(a.fd.get()) == port_of(set[1]));

    const auto c0 = test::connect_loopback(port_of(set[0]));
    const auto c1 = test::connect_loopback(port_of(set[1]));
    std::vector<std::uint16_t> got;
    for (int i = 0; i < 2; ++i) {
        const server::Accepted b = acceptor.accept();
        REQUIRE(b.fd);
        got.push_back(test::local_port(b.fd.get()));
    }
    CHECK(got == std::vector<std::uint16_t>{port_of(set[0]), port_of(set[1])});
}

TEST_CASE("ExclusiveAcceptor returns no connection once the stop fd is readable",
          "[prefork][listeners]") {
    const auto set = server::ListenerSet::bind({"127.0.0.1:0", "127.0.0.1:0"});
    set.set_nonblocking(true);
    const Pipe stop;
    server::ExclusiveAcceptor acceptor(set, stop.fds[0]);
    REQUIRE(::write(stop.fds[1], "x", 1) == 1);
    CHECK_FALSE(acceptor.accept().fd);
}
