// Timers: one sorted list per TimerKind; the next expiry and the expiry order every event loop
// relies on.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "server/loop/timers.hpp"

using namespace std::chrono_literals;
using server::TimerKind;
using server::TimerNode;
using server::Timers;

namespace {

const Timers::clock::time_point t0{};

struct Named {
    explicit Named(std::string n) : name(std::move(n)) { node.owner = this; }
    std::string name;
    TimerNode node;
};

std::vector<std::string> expire(Timers& timers, Timers::clock::time_point now) {
    std::vector<std::string> fired;
    timers.expire(now, [&](TimerNode& t) {
        CHECK_FALSE(t.linked());  // unlinked before the callback: it may re-file or destroy
        fired.push_back(static_cast<Named*>(t.owner)->name);
    });
    return fired;
}

}  // namespace

TEST_CASE("timers: no deadline means wait forever", "[timers]") {
    const Timers timers;
    CHECK(timers.next_expiry() == Timers::clock::time_point::max());
    CHECK(server::wait_ms(timers.next_expiry(), t0) == -1);
}

TEST_CASE("timers: the next expiry is the earliest front of all kinds", "[timers]") {
    Timers timers;
    Named header("header"), idle("idle"), linger("linger");
    timers.file(header.node, TimerKind::header, t0 + 10s);
    timers.file(idle.node, TimerKind::keepalive, t0 + 15s);
    timers.file(linger.node, TimerKind::linger, t0 + 500ms);
    CHECK(timers.next_expiry() == t0 + 500ms);
    Timers::cancel(linger.node);
    CHECK_FALSE(linger.node.linked());
    CHECK(timers.next_expiry() == t0 + 10s);
    CHECK(server::wait_ms(timers.next_expiry(), t0 + 9999ms) == 1);
    CHECK(server::wait_ms(timers.next_expiry(), t0 + 11s) == 0);
    CHECK(server::wait_ms(t0 + 5min, t0) == 60'000);  // capped: the loop looks again
}

TEST_CASE("timers: expiry goes kind by kind, each in deadline order", "[timers]") {
    Timers timers;
    Named a("send-1"), b("header-1"), c("header-2"), d("linger-1"), late("header-late");
    timers.file(a.node, TimerKind::send, t0 + 1s);
    timers.file(b.node, TimerKind::header, t0 + 2s);
    timers.file(c.node, TimerKind::header, t0 + 3s);
    timers.file(late.node, TimerKind::header, t0 + 9s);
    timers.file(d.node, TimerKind::linger, t0 + 500ms);
    const std::vector<std::string> order{"header-1", "header-2", "send-1", "linger-1"};
    CHECK(expire(timers, t0 + 3s) == order);
    CHECK(late.node.linked());
    CHECK(timers.next_expiry() == t0 + 9s);
    CHECK(expire(timers, t0 + 8s).empty());
    CHECK(expire(timers, t0 + 9s) == std::vector<std::string>{"header-late"});
}

TEST_CASE("timers: re-filing moves a node to its new kind and time", "[timers]") {
    Timers timers;
    Named n("conn");
    timers.file(n.node, TimerKind::header, t0 + 10s);
    timers.file(n.node, TimerKind::keepalive, t0 + 15s);  // the request was answered
    CHECK(timers.next_expiry() == t0 + 15s);
    CHECK(expire(timers, t0 + 10s).empty());
    int fired = 0;
    timers.expire(t0 + 15s, [&](TimerNode& t) {
        if (++fired == 1) timers.file(t, TimerKind::send, t0 + 60s);  // the callback re-files
    });
    CHECK(fired == 1);
    CHECK(timers.next_expiry() == t0 + 60s);
}

TEST_CASE("timers: every kind has its own list", "[timers]") {
    STATIC_REQUIRE(server::timer_kind_count == server::index_of(TimerKind::accept_pause) + 1);
    Timers timers;
    std::vector<Named> nodes;
    nodes.reserve(server::timer_kind_count);
    for (std::size_t k = 0; k < server::timer_kind_count; ++k)
        nodes.emplace_back(std::to_string(k));
    // Filed in reverse kind order with increasing deadlines: expiry still walks kinds in order.
    for (std::size_t k = 0; k < server::timer_kind_count; ++k) {
        const auto kind = static_cast<TimerKind>(server::timer_kind_count - 1 - k);
        timers.file(nodes[k].node, kind, t0 + std::chrono::seconds(k));
    }
    CHECK(expire(timers, t0 + 1min) == std::vector<std::string>{"4", "3", "2", "1", "0"});
}
