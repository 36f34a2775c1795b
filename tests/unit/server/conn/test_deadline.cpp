// Deadline: the timeout rules every model shares.
#include <catch2/catch.hpp>

#include "server/conn/deadline.hpp"

using namespace std::chrono_literals;
using http::Phase;
using server::Deadline;

namespace {
const server::Timeouts timeouts{10s, 15s, 60s};
const Deadline::clock::time_point t0{};
}  // namespace

TEST_CASE("a new connection gets the header timeout", "[deadline]") {
    const Deadline d(timeouts, t0);
    CHECK(d.at() == t0 + 10s);
    CHECK_FALSE(d.expired(t0 + 9s));
    CHECK(d.expired(t0 + 10s));
    CHECK(d.remaining_ms(t0 + 9500ms) == 500);
    CHECK(d.remaining_ms(t0 + 11s) == 0);
}

TEST_CASE("progress inside a head does not extend it: the whole head is bounded", "[deadline]") {
    Deadline d(timeouts, t0);
    d.update(Phase::head, true, t0 + 5s);
    d.update(Phase::head, true, t0 + 9s);
    CHECK(d.at() == t0 + 10s);
}

TEST_CASE("idle, body and write phases", "[deadline]") {
    Deadline d(timeouts, t0);
    d.update(Phase::write, true, t0 + 1s);
    CHECK(d.at() == t0 + 61s);
    d.update(Phase::write, true, t0 + 30s);  // progress restarts the send timeout
    CHECK(d.at() == t0 + 90s);
    d.update(Phase::write, false, t0 + 40s);  // no progress: unchanged
    CHECK(d.at() == t0 + 90s);
    d.update(Phase::idle, false, t0 + 50s);
    CHECK(d.at() == t0 + 65s);
    d.update(Phase::idle, false, t0 + 60s);  // still idle: keeps counting
    CHECK(d.at() == t0 + 65s);
    d.update(Phase::head, true, t0 + 61s);  // a new request starts its own header budget
    CHECK(d.at() == t0 + 71s);
    d.update(Phase::body, true, t0 + 62s);
    CHECK(d.at() == t0 + 72s);
    d.update(Phase::body, true, t0 + 70s);  // a body keeps moving
    CHECK(d.at() == t0 + 80s);
}
