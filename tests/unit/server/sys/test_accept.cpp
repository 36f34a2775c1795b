// accept_once (the event loops' and the fork parent's non-blocking accept) and
// accept_blocking (the blocking models'): what an accepted socket looks like, EAGAIN on an
// empty listener, which errors mean "out of resources", and a stop ending a blocked accept.
// Loopback only: a listener on 127.0.0.1:0.
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>

#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "server/proc/children.hpp"
#include "server/sys/accept_once.hpp"
#include "server/sys/acceptor.hpp"
#include "server/sys/listener.hpp"
#include "unit/server/proc/installed_stop.hpp"
#include "unit/server/sockets.hpp"

using namespace std::chrono_literals;

namespace {

bool nodelay(int fd) {
    int on = 0;
    socklen_t len = sizeof on;
    REQUIRE(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) == 0);
    return on != 0;
}

// What every accepted socket must be: non-blocking, CLOEXEC, with the client's address.
void check_accepted(const server::Accepted& a, int client) {
    REQUIRE(a.fd);
    CHECK(test::has_flag(a.fd.get(), F_GETFL, O_NONBLOCK));
    CHECK(test::has_flag(a.fd.get(), F_GETFD, FD_CLOEXEC));
    CHECK(a.peer == "127.0.0.1:" + std::to_string(test::local_port(client)));
}

}  // namespace

TEST_CASE("accept_once on an empty non-blocking listener: no fd, EAGAIN", "[accept]") {
    const auto l = server::Listener::bind("127.0.0.1:0");
    l.set_nonblocking(true);
    errno = 0;
    const server::Accepted a = server::accept_once(l.fd());
    CHECK_FALSE(a.fd);
    CHECK((errno == EAGAIN || errno == EWOULDBLOCK));
    CHECK(a.peer.empty());
}

TEST_CASE("accept_once: a non-blocking, close-on-exec connection with its peer, no TCP_NODELAY yet",
          "[accept]") {
    const auto l = server::Listener::bind("127.0.0.1:0");
    l.set_nonblocking(true);
    const auto port = test::local_port(l.fd());
    const auto first = test::connect_loopback(port);
    const auto second = test::connect_loopback(port);

    // TCP_NODELAY is the connection's policy (ConnState::before_write: before the second
    // write), so an accepted socket does not have it yet.
    const server::Accepted a = server::accept_once(l.fd());
    check_accepted(a, first.get());
    CHECK_FALSE(nodelay(a.fd.get()));

    const server::Accepted b = server::accept_once(l.fd());
    check_accepted(b, second.get());
    CHECK_FALSE(nodelay(b.fd.get()));

    CHECK_FALSE(server::accept_once(l.fd()).fd);  // the backlog is empty again
}

TEST_CASE("out_of_resources: descriptor and memory exhaustion, not transient errors", "[accept]") {
    for (const int err : {EMFILE, ENFILE, ENOBUFS, ENOMEM}) CHECK(server::out_of_resources(err));
    for (const int err : {0, EAGAIN, ECONNABORTED, EINTR, EPROTO, EPERM})
        CHECK_FALSE(server::out_of_resources(err));
}

TEST_CASE("accept_blocking returns a waiting client, like accept_once's", "[accept]") {
    const auto l =
        server::Listener::bind("127.0.0.1:0");  // blocking, as the blocking models use it
    const auto client = test::connect_loopback(test::local_port(l.fd()));
    const server::Accepted a = server::accept_blocking(l.fd(), server::Shutdown::instance());
    check_accepted(a, client.get());
    CHECK_FALSE(nodelay(a.fd.get()));  // ConnState::before_write's to set
}

TEST_CASE("a stop ends accept_blocking on an empty listener", "[accept][children]") {
    // In a child of its own, whose SIGTERM makes its private stop fd readable (children.hpp):
    // requesting this process's stop would stop every later test.
    const server::Shutdown& stop = test::installed_stop();
    const auto l = server::Listener::bind("127.0.0.1:0");
    server::Children children;
    const pid_t pid = children.spawn(stop, [&] {
        const server::Accepted a = server::accept_blocking(l.fd(), stop);
        return a.fd ? 1 : 0;  // 0: it returned without a connection
    });
    REQUIRE(pid > 0);
    // Not a pass/fail timing: the child is most likely blocked in poll() by now, which is the
    // case worth testing; a stop that arrives first must end it just the same.
    CHECK_FALSE(test::poll_for(children.wake_fd(), POLLIN, 50ms));  // still waiting
    children.signal(pid, SIGTERM);
    int status = -1;
    const auto left = children.wait_all(std::chrono::steady_clock::now() + 10s,
                                        [&](pid_t, int st) { status = st; });
    REQUIRE(left == 0);
    CHECK(server::describe_wait_status(status) == "exit status 0");
    CHECK_FALSE(stop.requested());
}
