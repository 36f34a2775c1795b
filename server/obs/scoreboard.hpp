// Scoreboard: what each worker of a process pool is doing, in shared memory (Apache's
// scoreboard). The prefork master maps it before forking its first worker, so every worker
// writes the same memory the master reads; one slot per possible worker. A worker writes only
// its own slot, with relaxed atomic stores at its state changes (no syscall, no lock); the
// master claims a slot for each worker it forks and frees it when it reaps the worker, reads
// the counts to size the pool, and the metrics page (server/obs/metrics.hpp) renders the
// counts per state and the table from any process. A reader may see a slot mid-update (the
// client address of the previous connection with the new state): harmless for a display and
// for counts, which only use the one-byte state.
//
// The wake: a worker that leaves the idle state while fewer than min_spare() workers are idle
// makes wake_fd() readable (an eventfd), at most once until the master has looked
// (take_wake()), so the master starts workers on the state change rather than on a timer.
// Any thread or process; nothing here blocks.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/unique_fd.hpp"

namespace server {

// Apache's states, in its order of a request's life; free: no worker in the slot.
enum class WorkerState : std::uint8_t {
    free,
    starting,
    idle,
    reading,
    writing,
    keepalive,
    closing
};
inline constexpr std::size_t worker_state_count = 7;

// "idle", "keepalive": the label values of the metrics page.
[[nodiscard]] std::string_view state_name(WorkerState s) noexcept;
// Apache's server-status letters: '.' free, 'S', '_', 'R', 'W', 'K', 'C'.
[[nodiscard]] char state_letter(WorkerState s) noexcept;

struct alignas(64) ScoreSlot {
    static constexpr std::size_t client_words = 6;  // 47 characters and a NUL

    std::atomic<WorkerState> state{WorkerState::free};
    std::atomic<pid_t> pid{0};
    std::atomic<std::uint64_t> generation{0};
    std::atomic<std::uint64_t> requests{0};         // served by this worker since its start
    std::atomic<std::int64_t> request_start_ns{0};  // steady clock; 0: none in progress
    std::array<std::atomic<std::uint64_t>, client_words> client{};  // the current peer, packed

    // The worker's own writes.
    void set(WorkerState s) noexcept { state.store(s, std::memory_order_relaxed); }
    void set_client(std::string_view peer) noexcept;  // truncated to 47 characters
    void begin_request(std::chrono::steady_clock::time_point t) noexcept;
    void end_request() noexcept { request_start_ns.store(0, std::memory_order_relaxed); }
    [[nodiscard]] std::string client_text() const;
};

// Workers by state, over the slots of one generation or of all.
struct ScoreCounts {
    std::array<unsigned, worker_state_count> by_state{};
    [[nodiscard]] unsigned of(WorkerState s) const noexcept {
        return by_state[static_cast<std::size_t>(s)];
    }
    [[nodiscard]] unsigned live() const noexcept;  // every state but free
};

class Scoreboard {
public:
    // Maps `slots` slots (at least 1), all free. Throws std::system_error (startup only).
    explicit Scoreboard(std::size_t slots);
    ~Scoreboard();
    Scoreboard(const Scoreboard&) = delete;
    Scoreboard& operator=(const Scoreboard&) = delete;

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] ScoreSlot& slot(std::size_t i) noexcept { return slots_[i]; }
    [[nodiscard]] const ScoreSlot& slot(std::size_t i) const noexcept { return slots_[i]; }

    // Master: a free slot marked starting for a worker of `generation` (the lowest, so the
    // table stays dense), or nothing when every slot is taken.
    std::optional<std::size_t> claim(std::uint64_t generation) noexcept;
    // Master, after reaping the slot's worker.
    void release(std::size_t i) noexcept;

    // No generation: every worker.
    [[nodiscard]] ScoreCounts counts(std::optional<std::uint64_t> generation = {}) const noexcept;

    // The idle count under which a worker wakes the master (0: never, a fixed pool).
    void set_min_spare(unsigned n) noexcept {
        shared_->min_spare.store(n, std::memory_order_relaxed);
    }
    [[nodiscard]] unsigned min_spare() const noexcept {
        return shared_->min_spare.load(std::memory_order_relaxed);
    }
    // Worker, having left idle: wakes the master when too few workers are idle now.
    void after_leaving_idle() noexcept;
    // Master: readable once a worker asked for more workers.
    [[nodiscard]] int wake_fd() const noexcept { return wake_.get(); }
    // Master, before reading the counts: empties wake_fd() and lets the next worker wake it.
    void take_wake() noexcept;

    // The table, one line per slot in use (Apache's server-status): each line starts with
    // `prefix` (the metrics page puts it in comments).
    void render(std::string& out, std::string_view prefix,
                std::chrono::steady_clock::time_point now) const;

private:
    struct Shared {
        std::atomic<unsigned> min_spare{0};
        std::atomic<bool> wake_pending{false};
        // Slots ever claimed (the highest + 1): counts() reads no further, so a worker's look
        // after each accept costs the pool's size, not the scoreboard's.
        std::atomic<std::size_t> used{0};
    };

    [[nodiscard]] std::size_t used() const noexcept {
        return shared_->used.load(std::memory_order_relaxed);
    }

    std::size_t size_;
    std::size_t bytes_;
    void* mem_;
    Shared* shared_;
    ScoreSlot* slots_;
    poly::UniqueFd wake_;
};

}  // namespace server
