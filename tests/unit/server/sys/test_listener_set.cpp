// ListenerSet (every listening socket of a run) and accept_blocking over several listeners,
// as the blocking models use them. Loopback only: listeners on 127.0.0.1:0.
#include <fcntl.h>

#include <string>
#include <system_error>
#include <vector>

#include <catch2/catch.hpp>

#include "server/sys/acceptor.hpp"
#include "server/sys/listener_set.hpp"
#include "unit/server/sockets.hpp"

namespace {

std::uint16_t port_of(const server::Listener& l) { return test::local_port(l.fd()); }

}  // namespace

TEST_CASE("ListenerSet::bind binds every address, in order, each plain", "[listener][listeners]") {
    const auto set = server::ListenerSet::bind({"127.0.0.1:0", "127.0.0.1:0"});
    REQUIRE(set.size() == 2);
    CHECK(port_of(set[0]) != port_of(set[1]));
    CHECK(set.addresses() == set[0].local_address() + ", " + set[1].local_address());
    for (const server::Listener& l : set) {
        CHECK(l.kind() == server::ListenerKind::plain);
        CHECK(l.name().empty());  // bound here, not passed by systemd
        CHECK(set.find(l.fd()) == &l);
    }
    CHECK(set.find(-1) == nullptr);
}

TEST_CASE("ListenerSet::bind fails naming the address that cannot be bound",
          "[listener][listeners]") {
    const auto taken = server::Listener::bind("127.0.0.1:0");
    const std::string busy = taken.local_address();
    try {
        (void)server::ListenerSet::bind({"127.0.0.1:0", busy});
        FAIL("bound a taken port");
    } catch (const std::system_error& e) {
        CHECK(std::string(e.what()).find("bind " + busy) != std::string::npos);
    }
}

TEST_CASE("set_nonblocking switches every listener", "[listener][listeners]") {
    const auto set = server::ListenerSet::bind({"127.0.0.1:0", "127.0.0.1:0"});
    set.set_nonblocking(true);
    for (const server::Listener& l : set) CHECK(test::has_flag(l.fd(), F_GETFL, O_NONBLOCK));
    set.set_nonblocking(false);
    for (const server::Listener& l : set) CHECK_FALSE(test::has_flag(l.fd(), F_GETFL, O_NONBLOCK));
}

TEST_CASE("accept_blocking over two listeners takes a client of either, in turn",
          "[accept][listeners]") {
    const auto set = server::ListenerSet::bind({"127.0.0.1:0", "127.0.0.1:0"});
    const auto& stop = server::Shutdown::instance();
    std::size_t turn = 0;

    // Only the second has a client: it is found, not waited for on the first.
    const auto lone = test::connect_loopback(port_of(set[1]));
    const server::Accepted a = server::accept_blocking(set, stop, turn);
    REQUIRE(a.fd);
    CHECK(test::local_port(a.fd.get()) == port_of(set[1]));
    CHECK(a.kind == server::ListenerKind::plain);

    // Both have one: the turn has moved past the second, so the first comes next, then the
    // second; neither waits behind the other.
    const auto c0 = test::connect_loopback(port_of(set[0]));
    const auto c1 = test::connect_loopback(port_of(set[1]));
    std::vector<std::uint16_t> got;
    for (int i = 0; i < 2; ++i) {
        const server::Accepted b = server::accept_blocking(set, stop, turn);
        REQUIRE(b.fd);
        got.push_back(test::local_port(b.fd.get()));
    }
    CHECK(got == std::vector<std::uint16_t>{port_of(set[0]), port_of(set[1])});
}
