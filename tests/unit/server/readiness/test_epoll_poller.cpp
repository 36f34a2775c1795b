// EpollPoller: what its two modes promise beyond the Poller contract every poller keeps
// (tests/unit/models/test_pollers.cpp runs that one over all of them): which interest stays
// armed in each mode, how write readiness repeats, hang-ups, and why remove() exists next
// to forget().
#include <sys/socket.h>

#include <vector>

#include <catch2/catch.hpp>

#include "server/readiness/epoll_poller.hpp"
#include "unit/server/sockets.hpp"

namespace {

using server::EpollPoller;
using server::Interest;
using server::PollEvent;

std::vector<PollEvent> wait_events(EpollPoller& p, int timeout_ms) {
    std::vector<PollEvent> out(8);
    int n;
    do n = p.wait(out, timeout_ms);
    while (n < 0 && errno == EINTR);
    REQUIRE(n >= 0);
    out.resize(static_cast<std::size_t>(n));
    return out;
}

constexpr int ready_bound_ms = 2000;

}  // namespace

TEST_CASE("edge-triggered keeps read interest armed while waiting to write", "[epoll]") {
    EpollPoller p(true);
    auto s = test::socket_pair();
    REQUIRE(p.add(s.near.get(), Interest::write));
    REQUIRE(wait_events(p, ready_bound_ms).size() == 1);
    CHECK(wait_events(p, 0).empty());  // the write edge was reported once
    // A request arriving while output is blocked is not missed (pipelining).
    test::write_all(s.far.get(), "x");
    const auto ev = wait_events(p, ready_bound_ms);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].readable);
}

TEST_CASE("level-triggered asks for exactly one direction at a time", "[epoll]") {
    EpollPoller p(false);
    auto s = test::socket_pair();
    REQUIRE(p.add(s.near.get(), Interest::write));
    test::write_all(s.far.get(), "x");
    for (int round = 0; round < 2; ++round) {  // writable on every wait, as level triggering is
        const auto ev = wait_events(p, ready_bound_ms);
        REQUIRE(ev.size() == 1);
        CHECK(ev[0].writable);
        CHECK_FALSE(ev[0].readable);  // the pending byte waits until read interest returns
    }
    REQUIRE(p.set(s.near.get(), Interest::read));
    const auto ev = wait_events(p, ready_bound_ms);
    REQUIRE(ev.size() == 1);
    CHECK(ev[0].readable);
    CHECK_FALSE(ev[0].writable);
}

TEST_CASE("a closed peer is reported as a hang-up in both modes and both interests", "[epoll]") {
    for (const bool edge : {false, true}) {
        for (const Interest interest : {Interest::read, Interest::write}) {
            INFO("edge " << edge << ", write interest " << (interest == Interest::write));
            EpollPoller p(edge);
            auto s = test::socket_pair();
            REQUIRE(p.add(s.near.get(), interest));
            s.far.reset();
            const auto ev = wait_events(p, ready_bound_ms);
            REQUIRE(ev.size() == 1);
            CHECK(ev[0].hangup);
            CHECK(ev[0].readable);  // RDHUP counts as readable: the reader finds the EOF
        }
    }
}

TEST_CASE("epoll refuses a second add and a set() of a descriptor it does not hold", "[epoll]") {
    EpollPoller p(true);
    auto s = test::socket_pair();
    errno = 0;
    CHECK_FALSE(p.set(s.near.get(), Interest::write));
    CHECK(errno == ENOENT);
    REQUIRE(p.add(s.near.get(), Interest::read));
    errno = 0;
    CHECK_FALSE(p.add(s.near.get(), Interest::read));
    CHECK(errno == EEXIST);
    CHECK(p.set(s.near.get(), Interest::read));  // what is registered already: no syscall, true
}

TEST_CASE("remove() drops a registration a surviving duplicate would keep; forget() does not",
          "[epoll]") {
    // The hazard poller.hpp names: epoll registers the open file, not the number, so a close
    // while a duplicate (a forked child's copy) lives leaves the registration in place.
    for (const bool use_remove : {true, false}) {
        INFO("remove " << use_remove);
        EpollPoller p(false);
        auto s = test::socket_pair();
        const int number = s.near.get();
        REQUIRE(p.add(number, Interest::read));
        const poly::UniqueFd duplicate(::dup(number));
        REQUIRE(duplicate);
        if (use_remove)
            p.remove(number);
        else
            p.forget(number);
        s.near.reset();
        test::write_all(s.far.get(), "x");
        const auto ev = wait_events(p, use_remove ? 50 : ready_bound_ms);
        if (use_remove) {
            CHECK(ev.empty());
        } else {
            REQUIRE(ev.size() == 1);
            CHECK(ev[0].fd == number);  // an event for a number that is closed
        }
    }
}
