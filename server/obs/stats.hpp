// Stats: server-wide counters in one MAP_SHARED anonymous mapping created before any fork, so
// forked children and prefork workers count into the same memory the master reads (the seed's
// shared-memory lesson, made useful). Lock-free atomics: safe from every thread and process.
// Read by the master's log line on exit and by the metrics endpoint.
//
// The connection gauge across processes: a forked child or prefork worker killed (SIGKILL, a
// crash, the OOM killer) while it holds a connection never runs ConnectionCount's destructor,
// so its +1 would stay in connections_active forever. Each process therefore also counts its
// open connections in its own slot of a pid-indexed table (shared, lazily backed: only the
// pages of pids in use cost memory), and the master, when it reaps a child, subtracts whatever
// that child's slot still holds (settle_process) and clears the slot for the pid's next owner.
#pragma once

#include <sys/types.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>

namespace server {

class Scoreboard;

// TLS handshakes, counted by every TLS stream (server/tls); plain atomics, so they live in the
// shared Stats and are read from any thread or process.
struct TlsCounters {
    std::atomic<std::uint64_t> handshakes{0};          // completed
    std::atomic<std::uint64_t> resumed{0};             // of those, resumed from a ticket
    std::atomic<std::uint64_t> handshake_failures{0};  // ended before completing, bytes seen
};

struct Stats {
    // Request-duration histogram upper bounds, in microseconds (the last bucket is +Inf).
    static constexpr std::array<std::uint64_t, 10> duration_bounds_us = {
        100, 250, 500, 1'000, 2'500, 5'000, 10'000, 50'000, 250'000, 1'000'000};

    std::atomic<std::uint64_t> requests_by_class[6];  // [1]..[5] = 1xx..5xx; [0] unused
    std::atomic<std::uint64_t> bytes_sent;
    std::atomic<std::uint64_t> connections_total;
    std::atomic<std::int64_t> connections_active;
    std::atomic<std::uint64_t> duration_buckets[duration_bounds_us.size() + 1];
    std::atomic<std::uint64_t> duration_sum_us;
    TlsCounters tls;
    // Open connections per process, indexed by pid (see above); null if it could not be mapped.
    std::atomic<std::int64_t>* active_by_pid;
    std::size_t pid_slots;
    // prefork's workers (server/obs/scoreboard.hpp), set by its master before the first fork
    // and cleared before the scoreboard goes; null in every other model. The metrics page
    // renders it.
    const Scoreboard* scoreboard;

    // The process-wide instance (mapped on first use; call it before forking).
    static Stats& shared();

    // The calling process's slot, or null (no table, or a pid beyond it).
    [[nodiscard]] std::atomic<std::int64_t>* own_slot() noexcept;
    // Master, after reaping `pid`: takes back the connections it still counted when it ended.
    void settle_process(pid_t pid) noexcept;

    void count_request(int status, std::uint64_t body_bytes,
                       std::chrono::steady_clock::duration d) noexcept;
    [[nodiscard]] std::uint64_t requests_total() const noexcept;
};

// Counts one live connection for its lifetime.
class ConnectionCount {
public:
    explicit ConnectionCount(Stats& s) noexcept : s_(s), slot_(s.own_slot()) {
        s_.connections_total.fetch_add(1, std::memory_order_relaxed);
        if (slot_ != nullptr) slot_->fetch_add(1, std::memory_order_relaxed);
        s_.connections_active.fetch_add(1, std::memory_order_relaxed);
    }
    ~ConnectionCount() {
        s_.connections_active.fetch_sub(1, std::memory_order_relaxed);
        if (slot_ != nullptr) slot_->fetch_sub(1, std::memory_order_relaxed);
    }
    ConnectionCount(const ConnectionCount&) = delete;
    ConnectionCount& operator=(const ConnectionCount&) = delete;

private:
    Stats& s_;
    std::atomic<std::int64_t>* slot_;
};

}  // namespace server
