// LoopShared: what the event loops of one run share (the reactor's, the coroutine model's and
// the io_uring model's): the Context, and the server-wide count of open connections that
// enforces --max-connections across all loop threads. Also the pacing every loop applies.
// Any loop thread; the count is a relaxed atomic (a cap, not a synchronisation point).
#pragma once

#include <atomic>
#include <chrono>

#include "server/runtime/context.hpp"

namespace server {

// Syscalls one connection may make per turn before the others get theirs.
inline constexpr int pump_budget = 64;
// Connections accepted per listener wake-up; the listener is level-triggered, so the rest are
// reported again next turn and one burst cannot starve the connections already open.
inline constexpr int accept_batch = 64;
// At --max-connections a loop stops accepting this long: the backlog waits, and the loop looks
// again soon enough that a freed slot is used. (Out of descriptors: accept_pause_for(),
// server/sys/accept_once.hpp.)
inline constexpr std::chrono::milliseconds capacity_pause{10};

// The server-wide cap: the count of open connections and the slots that hold it.
class ConnectionCap {
public:
    explicit ConnectionCap(unsigned max) noexcept : max_connections(max) {}
    ConnectionCap(const ConnectionCap&) = delete;
    ConnectionCap& operator=(const ConnectionCap&) = delete;

    // Holds one connection slot for its lifetime (a member of each loop's connection record,
    // or a local of its coroutine, so the slot is freed exactly when the connection is).
    class Slot {
    public:
        explicit Slot(ConnectionCap& cap) noexcept : open_(cap.open_) {
            open_.fetch_add(1, std::memory_order_relaxed);
        }
        ~Slot() { open_.fetch_sub(1, std::memory_order_relaxed); }
        Slot(const Slot&) = delete;
        Slot& operator=(const Slot&) = delete;

    private:
        std::atomic<unsigned>& open_;
    };

    // True when no connection may be accepted now: the loop pauses for capacity_pause.
    [[nodiscard]] bool at_capacity() const noexcept { return open() >= max_connections; }
    [[nodiscard]] unsigned open() const noexcept { return open_.load(std::memory_order_relaxed); }

    const unsigned max_connections;

private:
    std::atomic<unsigned> open_{0};
};

struct LoopShared : ConnectionCap {
    LoopShared(Context& c, unsigned max) noexcept : ConnectionCap(max), ctx(c) {}

    Context& ctx;
};

}  // namespace server
