// LogThrottle: rate limit for a diagnostic that can fire on every request or every accept (a
// full disk under the access log, EMFILE on a listener that stays readable). One report per
// interval gets through and says how many were held back since the previous one, so the
// error log shows the problem and its scale without growing at the rate of the traffic (which
// would fill the disk the access log already filled). Lock-free; any thread. An ordinary
// instance throttles one process (a forked child starts from a copy of the parent's state);
// SharedLogThrottle lives in MAP_SHARED memory, so the fork model's children, each of which
// writes a few lines and exits, are throttled together instead of each reporting once.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>

namespace server {

class LogThrottle {
public:
    using clock = std::chrono::steady_clock;

    explicit LogThrottle(clock::duration every) noexcept : every_(every) {}

    // 0: stay quiet. Otherwise report now: 1 + the number of reports suppressed since the
    // last one that got through.
    [[nodiscard]] std::uint64_t admit(clock::time_point now = clock::now()) noexcept {
        const std::int64_t t = now.time_since_epoch().count();
        std::int64_t next = next_.load(std::memory_order_relaxed);
        if (t < next || !next_.compare_exchange_strong(next, t + every_.count())) {
            suppressed_.fetch_add(1, std::memory_order_relaxed);
            return 0;
        }
        return suppressed_.exchange(0, std::memory_order_relaxed) + 1;
    }

private:
    clock::duration every_;
    std::atomic<std::int64_t> next_{INT64_MIN};  // clock ticks; the first report always passes
    std::atomic<std::uint64_t> suppressed_{0};
};

static_assert(std::atomic<std::int64_t>::is_always_lock_free, "shared between processes");

// A LogThrottle in its own MAP_SHARED anonymous page: create it before forking. Throws
// std::system_error when the page cannot be mapped (startup only).
class SharedLogThrottle {
public:
    explicit SharedLogThrottle(LogThrottle::clock::duration every);
    ~SharedLogThrottle();
    SharedLogThrottle(const SharedLogThrottle&) = delete;
    SharedLogThrottle& operator=(const SharedLogThrottle&) = delete;

    [[nodiscard]] std::uint64_t admit() const noexcept { return throttle_->admit(); }

private:
    LogThrottle* throttle_;
};

}  // namespace server
