// --reuseport's listener groups (ListenerSet::add_worker_groups, Listener::reuseport_twin): a
// twin per worker on the same address, the kernel spreading connections between them, each
// thread seeing its own group, and all or nothing when a twin cannot be bound.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <system_error>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "server/sys/accept_once.hpp"
#include "server/sys/listener_set.hpp"
#include "unit/server/sockets.hpp"

namespace {

// The group another thread serving as `worker` sees: its fds, in order.
std::vector<int> fds_seen_by(const server::ListenerSet& set, unsigned worker) {
    std::vector<int> fds;
    std::thread t([&] {
        server::ListenerSet::serve_as_worker(worker);
        for (const server::Listener& l : set) fds.push_back(l.fd());
    });
    t.join();
    return fds;
}

// Connections waiting on fd, accepted until there are none.
int accept_all(int fd) {
    int n = 0;
    while (server::accept_once(fd).fd) ++n;
    return n;
}

}  // namespace

TEST_CASE("--reuseport: one twin per further worker, on the same address",
          "[listener][reuseport]") {
    auto set = server::ListenerSet::bind({"127.0.0.1:0", "127.0.0.1:0"});
    const int first = set[0].fd();
    set.add_worker_groups(3);
    REQUIRE(set.groups() == 3);
    CHECK(set[0].fd() == first);  // this thread is worker 0: the configured sockets
    const auto w1 = fds_seen_by(set, 1);
    const auto w2 = fds_seen_by(set, 2);
    REQUIRE(w1.size() == 2);
    REQUIRE(w2.size() == 2);
    CHECK(w1[0] != first);
    CHECK(w1[0] != w2[0]);
    CHECK(fds_seen_by(set, 7) == fds_seen_by(set, 0));  // past the last group: the shared one
    CHECK(test::local_port(w1[1]) == test::local_port(set[1].fd()));
    set.add_worker_groups(5);  // once only
    CHECK(set.groups() == 3);
}

TEST_CASE("--reuseport: the kernel spreads connections over the twins", "[listener][reuseport]") {
    auto set = server::ListenerSet::bind({"127.0.0.1:0"});
    set.add_worker_groups(2);
    set.set_nonblocking(true);  // every group's
    const int twin = fds_seen_by(set, 1).at(0);
    CHECK(test::has_flag(twin, F_GETFL, O_NONBLOCK));
    // 64 connections from 64 source ports: by the hash, both sockets get some (all on one
    // would have a chance of 2^-63).
    std::vector<poly::UniqueFd> clients;
    for (int i = 0; i < 64; ++i) clients.push_back(test::connect_loopback(test::local_port(twin)));
    const int on_first = accept_all(set[0].fd());
    const int on_twin = accept_all(twin);
    CHECK(on_first + on_twin == 64);
    CHECK(on_first > 0);
    CHECK(on_twin > 0);
}

TEST_CASE("--reuseport: a twin keeps TCP_DEFER_ACCEPT and the kind", "[listener][reuseport]") {
    auto set = server::ListenerSet::bind({"127.0.0.1:0"}, server::ListenerKind::tls);
    REQUIRE(set[0].set_defer_accept(std::chrono::seconds(1)));
    set.add_worker_groups(2);
    const server::Listener& original = set[0];
    std::thread([&] {
        server::ListenerSet::serve_as_worker(1);
        const server::Listener& twin = set[0];
        CHECK(twin.fd() != original.fd());
        CHECK(twin.kind() == server::ListenerKind::tls);
        CHECK(twin.local_address() == original.local_address());
        int secs = 0;
        socklen_t len = sizeof secs;
        REQUIRE(::getsockopt(twin.fd(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, &len) == 0);
        CHECK(secs >= 1);
    }).join();
}

TEST_CASE("--reuseport on a unix socket: refused, the set stays one group",
          "[listener][reuseport]") {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    const sockaddr sa{.sa_family = AF_UNIX, .sa_data = {}};  // autobind: an abstract name
    REQUIRE(::bind(fd, &sa, sizeof sa.sa_family) == 0);
    REQUIRE(::listen(fd, 8) == 0);
    server::ListenerSet set(server::Listener::adopt(fd));
    CHECK_THROWS_AS(set.add_worker_groups(2), std::system_error);
    CHECK(set.groups() == 1);
}
