// Deadline: which timeout applies to a connection now, shared by both drivers so every model
// enforces the same limits. The Connection says its phase; the driver owns the clock.
//   head  - header timeout, measured from the phase start: bounds the WHOLE head, so a
//           client trickling one byte a second cannot hold the connection forever
//   body  - header timeout, restarted on progress
//   idle  - keep-alive timeout from when the connection became idle
//   write - send timeout, restarted on progress (a client that reads nothing is dropped)
#pragma once

#include <chrono>

#include "http/connection.hpp"
#include "server/conn/timer_kind.hpp"
#include "server/runtime/timeouts.hpp"

namespace server {

class Deadline {
public:
    using clock = std::chrono::steady_clock;

    explicit Deadline(const Timeouts& t, clock::time_point now = clock::now()) : t_(t) {
        restart(http::Phase::head, now);
    }

    // Call after every I/O step; `progress` says bytes moved. Returns whether the deadline
    // moved (an event loop then re-files the connection's timer).
    bool update(http::Phase phase, bool progress, clock::time_point now = clock::now()) {
        if (phase != phase_ ||
            (progress && phase != http::Phase::head && phase != http::Phase::idle)) {
            restart(phase, now);
            return true;
        }
        return false;
    }

    // Which timeout the deadline comes from: header (head and body), keep-alive or send.
    // Deadlines of one kind all share a duration, which TimerList relies on.
    [[nodiscard]] TimerKind kind() const noexcept {
        switch (phase_) {
            case http::Phase::idle: return TimerKind::keepalive;
            case http::Phase::write: return TimerKind::send;
            default: return TimerKind::header;
        }
    }

    [[nodiscard]] clock::time_point at() const noexcept { return at_; }
    [[nodiscard]] bool expired(clock::time_point now = clock::now()) const noexcept {
        return now >= at_;
    }
    // Milliseconds left, rounded up, for poll(); 0 when already expired.
    [[nodiscard]] int remaining_ms(clock::time_point now = clock::now()) const noexcept;

private:
    void restart(http::Phase phase, clock::time_point now) noexcept;

    Timeouts t_;
    http::Phase phase_ = http::Phase::head;
    clock::time_point at_{};
};

}  // namespace server
