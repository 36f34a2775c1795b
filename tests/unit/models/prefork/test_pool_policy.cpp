// prefork's pool policy (pool_policy.hpp): the settings from the options, and what the master
// starts and retires for given scoreboard counts. Pure functions: no process, no socket.
#include <catch2/catch.hpp>

#include "models/prefork/pool_policy.hpp"

using models::plan;
using models::PoolSettings;
using models::PoolStep;
using models::PoolView;

namespace {

PoolSettings adaptive(unsigned min_spare = 5, unsigned max_spare = 10, unsigned max = 256) {
    PoolSettings s;
    s.min_spare = min_spare;
    s.max_spare = max_spare;
    s.max_workers = max;
    return s;
}

}  // namespace

TEST_CASE("pool settings: Apache's defaults, --workers fixes the pool", "[prefork][pool]") {
    config::Config cfg;
    PoolSettings s = models::pool_settings(cfg);
    CHECK(s.fixed == 0);
    CHECK(s.min_spare == 5);
    CHECK(s.max_spare == 10);
    CHECK(s.max_workers == 256);

    cfg.max_connections = 100;  // each worker holds a connection: never more workers
    CHECK(models::pool_settings(cfg).max_workers == 100);

    cfg.workers = 3;
    s = models::pool_settings(cfg);
    CHECK(s.fixed == 3);
    CHECK(s.max_workers == 3);
    cfg.workers = 500;
    CHECK(models::pool_settings(cfg).fixed == 100);
}

TEST_CASE("pool settings: bounds that meet or vanish are widened, as Apache does",
          "[prefork][pool]") {
    config::Config cfg;
    cfg.min_spare = 0;
    cfg.max_spare = 0;
    PoolSettings s = models::pool_settings(cfg);
    CHECK(s.min_spare == 1);  // with none spare, nothing would ever start a worker
    CHECK(s.max_spare == 2);
    cfg.min_spare = 8;
    cfg.max_spare = 4;
    s = models::pool_settings(cfg);
    CHECK(s.max_spare == 9);
    cfg.max_workers = 3;
    CHECK(models::pool_settings(cfg).min_spare == 3);  // not more spare than workers
}

TEST_CASE("pool plan: a fixed pool is filled, never resized", "[prefork][pool]") {
    PoolSettings s;
    s.fixed = 8;
    s.max_workers = 8;
    CHECK(plan({0, 0, 0}, s, true).start == 8);
    CHECK(plan({6, 0, 0}, s, true).start == 2);
    const PoolStep full = plan({8, 8, 0}, s, true);
    CHECK(full.start == 0);
    CHECK(full.retire == 0);  // idle beyond any spare bound: a fixed pool keeps them
}

TEST_CASE("pool plan: start what keeps --min-spare spare, within --max-workers",
          "[prefork][pool]") {
    const PoolSettings s = adaptive();
    CHECK(plan({0, 0, 0}, s, false).start == 5);  // the pool at start
    CHECK(plan({5, 5, 0}, s, false).start == 0);
    CHECK(plan({5, 2, 0}, s, false).start == 3);
    CHECK(plan({5, 2, 3}, s, false).start == 0);    // those starting count as spare
    CHECK(plan({254, 0, 0}, s, false).start == 2);  // the cap
    CHECK(plan({256, 0, 0}, s, false).start == 0);
    const PoolSettings wide = adaptive(100, 120, 1000);
    CHECK(plan({0, 0, 0}, wide, false).start == models::max_forks_per_wake);  // per wake-up
}

TEST_CASE("pool plan: retire idle workers beyond --max-spare, only when due", "[prefork][pool]") {
    const PoolSettings s = adaptive();
    CHECK(plan({20, 20, 0}, s, false).retire == 0);
    CHECK(plan({10, 10, 0}, s, true).retire == 0);
    CHECK(plan({11, 11, 0}, s, true).retire == 1);     // at least one
    CHECK(plan({200, 200, 0}, s, true).retire == 23);  // an eighth of the 190 extra
    CHECK(plan({200, 9, 0}, s, true).retire == 0);     // busy workers are never retired
}
