// Timers: one event loop's deadlines, one TimerList per TimerKind, shared by the reactor, the
// coroutine loop and the io_uring loop. Each kind has a single duration, so filing appends and
// every list stays sorted; the next expiry is the earliest of the lists' fronts (a handful of
// compares per loop turn, whatever the number of connections). Used on the loop's thread
// only; nothing here blocks or allocates.
#pragma once

#include <algorithm>
#include <array>
#include <chrono>

#include "server/conn/timer_kind.hpp"
#include "server/loop/timer_list.hpp"

namespace server {

class Timers {
public:
    using clock = std::chrono::steady_clock;

    // Files n under `kind` to fire at `at` (unlinking it from wherever it was). `at` must be
    // now + that kind's one duration for the list to stay sorted.
    void file(TimerNode& n, TimerKind kind, clock::time_point at) noexcept {
        n.at = at;
        lists_[index_of(kind)].push_back(n);
    }
    static void cancel(TimerNode& n) noexcept { TimerList::unlink(n); }

    // The earliest deadline filed, or time_point::max() when there is none.
    [[nodiscard]] clock::time_point next_expiry() const noexcept {
        clock::time_point next = clock::time_point::max();
        for (const TimerList& list : lists_)
            if (const TimerNode* t = list.front()) next = std::min(next, t->at);
        return next;
    }

    // Unlinks every node due at `now` and calls on_expired(node), kind by kind, each kind in
    // deadline order. The callback may re-file the node (a later deadline) or destroy its owner.
    template <typename F>
    void expire(clock::time_point now, F&& on_expired) {
        for (TimerList& list : lists_) {
            while (TimerNode* t = list.front()) {
                if (t->at > now) break;
                TimerList::unlink(*t);
                on_expired(*t);
            }
        }
    }

private:
    std::array<TimerList, timer_kind_count> lists_;
};

// How long a readiness loop may sleep until `next` (from next_expiry(), or earlier): -1 for
// never (time_point::max()), 0 when due, else milliseconds rounded up and capped at 60 s.
[[nodiscard]] inline int wait_ms(Timers::clock::time_point next,
                                 Timers::clock::time_point now) noexcept {
    if (next == Timers::clock::time_point::max()) return -1;
    if (next <= now) return 0;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
    return static_cast<int>(std::min<long long>(ms, 60'000));
}

}  // namespace server
