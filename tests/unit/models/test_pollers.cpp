// The Poller contract (server/readiness/poller.hpp), held against every poller the readiness
// models use: select, poll, and epoll in both modes. One template runs the same cases over
// all four, so the reactor can rely on what they agree on; where they may differ (edge
// triggering), the case asks the poller which one it is and checks that promise instead.
#include <sys/select.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <vector>

#include <catch2/catch.hpp>

#include "models/poll.hpp"
#include "models/select.hpp"
#include "server/readiness/epoll_poller.hpp"
#include "server/sys/listener.hpp"
#include "unit/server/sockets.hpp"

namespace {

using server::Interest;
using server::Poller;
using server::PollEvent;

struct SelectPoller {
    static constexpr bool edge = false;
    static std::unique_ptr<Poller> make() { return models::make_select_poller(); }
};
struct PollPoller {
    static constexpr bool edge = false;
    static std::unique_ptr<Poller> make() { return models::make_poll_poller(); }
};
struct EpollLevel {
    static constexpr bool edge = false;
    static std::unique_ptr<Poller> make() { return std::make_unique<server::EpollPoller>(false); }
};
struct EpollEdge {
    static constexpr bool edge = true;
    static std::unique_ptr<Poller> make() { return std::make_unique<server::EpollPoller>(true); }
};

// Events of one wait (EINTR retried: the contract leaves that loop to the caller).
std::vector<PollEvent> wait_events(Poller& p, int timeout_ms, std::size_t room = 16) {
    std::vector<PollEvent> out(room);
    int n;
    do n = p.wait(out, timeout_ms);
    while (n < 0 && errno == EINTR);
    REQUIRE(n >= 0);
    REQUIRE(static_cast<std::size_t>(n) <= room);
    out.resize(static_cast<std::size_t>(n));
    return out;
}

// A socket that is ready is reported within this bound; nothing here waits it out.
constexpr int ready_bound_ms = 2000;

// The one event the next wait must report, for `fd`.
PollEvent only_event(Poller& p, int fd) {
    const auto ev = wait_events(p, ready_bound_ms);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].fd == fd);
    return ev[0];
}

}  // namespace

#define POLLER_CASE(title) \
    TEMPLATE_TEST_CASE(title, "[poller]", SelectPoller, PollPoller, EpollLevel, EpollEdge)

POLLER_CASE("a socket is reported readable when bytes arrive, not before") {
    const auto p = TestType::make();
    auto s = test::socket_pair();
    REQUIRE(p->add(s.near.get(), Interest::read));
    CHECK(wait_events(*p, 0).empty());
    test::write_all(s.far.get(), "x");
    const PollEvent ev = only_event(*p, s.near.get());
    CHECK(ev.readable);
    CHECK_FALSE(ev.writable);
    CHECK_FALSE(ev.hangup);
}

POLLER_CASE(
    "level-triggered: reported every wait until drained; edge-triggered: once per arrival") {
    const auto p = TestType::make();
    auto s = test::socket_pair();
    REQUIRE(p->add(s.near.get(), Interest::read));
    test::write_all(s.far.get(), "first");
    only_event(*p, s.near.get());
    // Nothing was read: the bytes are still there.
    CHECK(wait_events(*p, 0).size() == (TestType::edge ? 0u : 1u));
    CHECK(test::read_available(s.near.get()) == "first");
    CHECK(wait_events(*p, 0).empty());
    // New bytes after a drain are a new edge: every poller reports them.
    test::write_all(s.far.get(), "second");
    CHECK(only_event(*p, s.near.get()).readable);
}

POLLER_CASE("write interest reports a writable socket; set() moves the interest both ways") {
    const auto p = TestType::make();
    auto s = test::socket_pair();
    REQUIRE(p->add(s.near.get(), Interest::write));
    const PollEvent ev = only_event(*p, s.near.get());
    CHECK(ev.writable);
    CHECK_FALSE(ev.readable);

    REQUIRE(p->set(s.near.get(), Interest::read));
    CHECK(wait_events(*p, 0).empty());              // still writable, but no longer asked
    REQUIRE(p->set(s.near.get(), Interest::read));  // unchanged: still fine
    CHECK(wait_events(*p, 0).empty());

    REQUIRE(p->set(s.near.get(), Interest::write));
    CHECK(only_event(*p, s.near.get()).writable);
}

POLLER_CASE("remove() silences a socket, which can then be added again") {
    const auto p = TestType::make();
    auto s = test::socket_pair();
    REQUIRE(p->add(s.near.get(), Interest::read));
    test::write_all(s.far.get(), "x");
    p->remove(s.near.get());
    CHECK(wait_events(*p, 0).empty());
    REQUIRE(p->add(s.near.get(), Interest::read));
    CHECK(only_event(*p, s.near.get()).readable);
}

POLLER_CASE("forget() then close: the descriptor number can be registered again by a new socket") {
    const auto p = TestType::make();
    auto old = test::socket_pair();
    const int number = old.near.get();
    REQUIRE(p->add(number, Interest::read));
    p->forget(number);
    old.near.reset();
    auto fresh = test::socket_pair();
    if (fresh.near.get() != number) {  // put the new socket on the old number
        REQUIRE(::dup3(fresh.near.get(), number, O_CLOEXEC) == number);
        fresh.near.reset(number);
    }
    REQUIRE(p->add(number, Interest::read));
    CHECK(wait_events(*p, 0).empty());
    test::write_all(fresh.far.get(), "x");
    CHECK(only_event(*p, number).readable);
}

POLLER_CASE("a peer that closed is reported, and the next recv says so") {
    const auto p = TestType::make();
    auto s = test::socket_pair();
    REQUIRE(p->add(s.near.get(), Interest::read));
    s.far.reset();
    const PollEvent ev = only_event(*p, s.near.get());
    CHECK((ev.readable || ev.hangup));
    char c;
    CHECK(::recv(s.near.get(), &c, 1, 0) == 0);
}

POLLER_CASE("only ready sockets are reported, never more than the space given") {
    const auto p = TestType::make();
    std::array<test::SocketPair, 4> s{test::socket_pair(), test::socket_pair(), test::socket_pair(),
                                      test::socket_pair()};
    for (auto& pair : s) REQUIRE(p->add(pair.near.get(), Interest::read));
    test::write_all(s[1].far.get(), "a");
    test::write_all(s[3].far.get(), "b");
    REQUIRE(test::poll_for(s[3].near.get(), POLLIN, std::chrono::milliseconds(ready_bound_ms)));

    const auto one = wait_events(*p, ready_bound_ms, 1);
    REQUIRE(one.size() == 1);
    CHECK((one[0].fd == s[1].near.get() || one[0].fd == s[3].near.get()));

    // The one left out is not lost. The level-triggered pollers report both again; the
    // edge-triggered one reports only the edge it has not handed out yet.
    std::vector<int> fds;
    for (const PollEvent& e : wait_events(*p, ready_bound_ms)) fds.push_back(e.fd);
    std::sort(fds.begin(), fds.end());
    const int other = one[0].fd == s[1].near.get() ? s[3].near.get() : s[1].near.get();
    if (TestType::edge)
        CHECK(fds == std::vector<int>{other});
    else
        CHECK(fds == std::vector<int>{s[1].near.get(), s[3].near.get()});
}

POLLER_CASE("wait() with nothing ready returns 0 after its timeout") {
    const auto p = TestType::make();
    CHECK(wait_events(*p, 0).empty());  // nothing registered at all
    auto s = test::socket_pair();
    REQUIRE(p->add(s.near.get(), Interest::read));
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(wait_events(*p, 30).empty());
    const auto waited = std::chrono::steady_clock::now() - t0;
    CHECK(waited >= std::chrono::milliseconds(25));  // a lower bound only: never flaky
    CHECK(waited < std::chrono::seconds(2));
}

POLLER_CASE("the listener: a pending connection is reported on every wait until accepted") {
    // Level-triggered in every mode (epoll_poller.cpp): a reactor at its connection cap
    // leaves connections in the backlog and must hear of them again later.
    const auto p = TestType::make();
    const auto l = server::Listener::bind("127.0.0.1:0");
    l.set_nonblocking(true);
    REQUIRE(p->add_listener(l.fd()));
    CHECK(wait_events(*p, 0).empty());
    const auto client = test::connect_loopback(test::local_port(l.fd()));
    for (int round = 0; round < 2; ++round) {
        CHECK(only_event(*p, l.fd()).readable);
    }
    const poly::UniqueFd accepted(::accept4(l.fd(), nullptr, nullptr, SOCK_CLOEXEC));
    REQUIRE(accepted);
    CHECK(wait_events(*p, 0).empty());
}

TEST_CASE("select refuses descriptors at FD_SETSIZE and above, before any fd_set sees them",
          "[poller][select]") {
    const auto p = models::make_select_poller();
    CHECK(p->fd_limit() == FD_SETSIZE);
    for (const int fd : {FD_SETSIZE, FD_SETSIZE + 1, -1}) {
        errno = 0;
        CHECK_FALSE(p->add(fd, Interest::read));
        CHECK(errno == EMFILE);
    }
    p->remove(FD_SETSIZE);         // a no-op, not a write past the fd_set
    auto s = test::socket_pair();  // and the poller still works
    REQUIRE(p->add(s.near.get(), Interest::read));
    test::write_all(s.far.get(), "x");
    only_event(*p, s.near.get());
}

TEST_CASE("poll and epoll have no descriptor ceiling", "[poller]") {
    CHECK(models::make_poll_poller()->fd_limit() == INT_MAX);
    CHECK(server::EpollPoller(false).fd_limit() == INT_MAX);
    CHECK(server::EpollPoller(true).fd_limit() == INT_MAX);
}
