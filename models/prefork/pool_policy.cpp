#include "models/prefork/pool_policy.hpp"

#include <algorithm>

namespace models {

PoolSettings pool_settings(const config::Config& cfg) {
    PoolSettings s;
    const unsigned cap = std::max(1u, cfg.max_connections);
    if (cfg.workers != config::workers_unset) {
        s.fixed = std::max(1u, std::min(config::resolve_workers(cfg.workers, 1), cap));
        s.max_workers = s.fixed;
        return s;
    }
    s.max_workers = std::max(1u, std::min(cfg.max_workers, cap));
    s.min_spare = std::clamp(cfg.min_spare, 1u, s.max_workers);
    s.max_spare = std::max(cfg.max_spare, s.min_spare + 1);
    return s;
}

PoolStep plan(const PoolView& v, const PoolSettings& s, bool retire_due) noexcept {
    PoolStep step;
    if (s.fixed != 0) {
        step.start = s.fixed > v.live ? s.fixed - v.live : 0;
        return step;
    }
    const unsigned spare = v.idle + v.starting;
    const unsigned room = s.max_workers > v.live ? s.max_workers - v.live : 0;
    if (spare < s.min_spare) step.start = std::min({s.min_spare - spare, room, max_forks_per_wake});
    if (retire_due && v.idle > s.max_spare) {
        const unsigned extra = v.idle - s.max_spare;
        step.retire = std::max(1u, extra / 8);
    }
    return step;
}

}  // namespace models
