#include "server/obs/stats.hpp"

#include <pthread.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <new>
#include <system_error>

namespace server {

static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "shared-memory counters must be lock-free to work across processes");

namespace {

// Highest pid + 1 the kernel hands out (/proc/sys/kernel/pid_max; 2^22 at most on Linux).
std::size_t pid_limit() {
    std::size_t n = 0;
    if (std::FILE* f = std::fopen("/proc/sys/kernel/pid_max", "re")) {
        if (std::fscanf(f, "%zu", &n) != 1) n = 0;
        std::fclose(f);
    }
    return std::clamp<std::size_t>(n, 0, std::size_t{1} << 22);
}

// 8 bytes per possible pid (32 MiB of address space at pid_max 2^22), MAP_NORESERVE: a page
// is only backed once a process whose pid falls in it opens a connection.
std::atomic<std::int64_t>* map_pid_slots(std::size_t n) {
    if (n == 0) return nullptr;
    void* mem = ::mmap(nullptr, n * sizeof(std::atomic<std::int64_t>), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (mem == MAP_FAILED) return nullptr;  // the gauge may then drift when a child is killed
    return static_cast<std::atomic<std::int64_t>*>(mem);  // zero-filled: every slot 0
}

// getpid() is a system call (glibc no longer caches it) and own_slot() runs per connection:
// the pid is kept, and a fork's child forgets the parent's (pthread_atfork).
std::atomic<pid_t> kept_pid{0};

void forget_pid() noexcept { kept_pid.store(0, std::memory_order_relaxed); }

pid_t own_pid() noexcept {
    static const bool registered = ::pthread_atfork(nullptr, nullptr, &forget_pid) == 0;
    pid_t pid = kept_pid.load(std::memory_order_relaxed);
    if (pid == 0 || !registered) {
        pid = ::getpid();
        kept_pid.store(pid, std::memory_order_relaxed);
    }
    return pid;
}

}  // namespace

static_assert(sizeof(std::atomic<std::int64_t>) == sizeof(std::int64_t));

Stats& Stats::shared() {
    static Stats* const instance = [] {
        void* mem = ::mmap(nullptr, sizeof(Stats), PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED)
            throw std::system_error(errno, std::generic_category(), "mmap stats");
        auto* s = new (mem) Stats{};  // zero-filled by the kernel; never unmapped
        s->pid_slots = pid_limit();
        s->active_by_pid = map_pid_slots(s->pid_slots);
        if (s->active_by_pid == nullptr) s->pid_slots = 0;
        return s;
    }();
    return *instance;
}

std::atomic<std::int64_t>* Stats::own_slot() noexcept {
    const auto pid = static_cast<std::size_t>(own_pid());
    return pid < pid_slots ? &active_by_pid[pid] : nullptr;
}

void Stats::settle_process(pid_t pid) noexcept {
    const auto i = static_cast<std::size_t>(pid);
    if (pid <= 0 || i >= pid_slots) return;
    const std::int64_t left = active_by_pid[i].exchange(0, std::memory_order_relaxed);
    if (left != 0) connections_active.fetch_sub(left, std::memory_order_relaxed);
}

void Stats::count_request(int status, std::uint64_t body_bytes,
                          std::chrono::steady_clock::duration d) noexcept {
    const int cls = status / 100;
    if (cls >= 1 && cls <= 5) requests_by_class[cls].fetch_add(1, std::memory_order_relaxed);
    bytes_sent.fetch_add(body_bytes, std::memory_order_relaxed);
    const auto us = static_cast<std::uint64_t>(std::max<std::int64_t>(
        0, std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
    std::size_t b = 0;
    while (b < duration_bounds_us.size() && us > duration_bounds_us[b]) ++b;
    duration_buckets[b].fetch_add(1, std::memory_order_relaxed);
    duration_sum_us.fetch_add(us, std::memory_order_relaxed);
}

std::uint64_t Stats::requests_total() const noexcept {
    std::uint64_t total = 0;
    for (int c = 1; c <= 5; ++c) total += requests_by_class[c].load(std::memory_order_relaxed);
    return total;
}

}  // namespace server
