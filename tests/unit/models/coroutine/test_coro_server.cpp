// run_coroutine_loops(): the coroutine model's server over several listeners (one acceptor
// coroutine each): both served, the cap holding both, and a busy client
// kept past the keep-alive timeout (serving_cases.hpp).
#include <catch2/catch.hpp>

#include "models/coroutine/coro_server.hpp"
#include "unit/server/serving_cases.hpp"

namespace {

const test::Serve coroutines = [](server::Context& ctx) {
    return server::run_coroutine_loops(ctx);
};

}  // namespace

TEST_CASE("coroutine server: two listeners are served together",
          "[coroutine][children][listeners]") {
    test::check_two_listeners(coroutines);
}

TEST_CASE("coroutine server: --max-connections holds every listener",
          "[coroutine][children][listeners]") {
    test::check_cap_holds_every_listener(coroutines);
}

TEST_CASE("coroutine server: a busy kept-alive client outlives the keep-alive timeout",
          "[coroutine][children][timeouts]") {
    test::check_busy_keepalive_outlives_timeout(coroutines);
}
