#include "stats.hpp"

#include <sys/mman.h>

#include <algorithm>
#include <new>
#include <system_error>

namespace server {

static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "shared-memory counters must be lock-free to work across processes");

Stats& Stats::shared() {
    static Stats* const instance = [] {
        void* mem = ::mmap(nullptr, sizeof(Stats), PROT_READ | PROT_WRITE,
                           MAP_SHARED | MAP_ANONYMOUS, -1, 0);
        if (mem == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap stats");
        return new (mem) Stats{};  // zero-filled by the kernel; never unmapped
    }();
    return *instance;
}

void Stats::count_request(int status, std::uint64_t body_bytes,
                          std::chrono::steady_clock::duration d) noexcept {
    const int cls = status / 100;
    if (cls >= 1 && cls <= 5) requests_by_class[cls].fetch_add(1, std::memory_order_relaxed);
    bytes_sent.fetch_add(body_bytes, std::memory_order_relaxed);
    const auto us = static_cast<std::uint64_t>(
        std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(d).count()));
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
