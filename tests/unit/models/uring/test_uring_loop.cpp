// run_uring_loops(): the uring model's completion loop (multishot accept and receive, send
// chains), serving a loopback listener. The cases are the ones every loop must pass
// (serving_cases.hpp). Where io_uring is unusable here (old kernel, sysctl, seccomp; or
// POLYHTTPD_URING_UNAVAILABLE set) each case passes with a warning that gives the reason,
// the way the model itself refuses to start.
#include <catch2/catch.hpp>

#include "models/uring/uring_server.hpp"
#include "unit/models/uring/uring_usable.hpp"
#include "unit/server/serving_cases.hpp"

namespace {

using test::uring_usable;

const test::Serve uring = [](server::Context& ctx) { return server::run_uring_loops(ctx); };

}  // namespace

TEST_CASE("uring loop: one GET answered on a kept-alive connection", "[uring_loop][children]") {
    if (uring_usable()) test::check_one_get(uring);
}

TEST_CASE("uring loop: 20 pipelined requests in one write answered in order",
          "[uring_loop][children]") {
    if (uring_usable()) test::check_pipelined_in_order(uring);
}

TEST_CASE("uring loop: Connection: close closes after the response", "[uring_loop][children]") {
    if (uring_usable()) test::check_connection_close(uring);
}

TEST_CASE("uring loop: a busy kept-alive client outlives the keep-alive timeout",
          "[uring_loop][children][timeouts]") {
    if (uring_usable()) test::check_busy_keepalive_outlives_timeout(uring);
}

TEST_CASE("uring loop: a stop closes an idle kept-alive connection; the loop returns",
          "[uring_loop][children]") {
    if (uring_usable()) test::check_stop_closes_idle(uring);
}

TEST_CASE("uring loop: at --max-connections a second client waits until the first closes",
          "[uring_loop][children]") {
    if (uring_usable()) test::check_max_connections(uring);
}

TEST_CASE("uring loop: two listeners are served together", "[uring_loop][children][listeners]") {
    if (uring_usable()) test::check_two_listeners(uring);
}

TEST_CASE("uring loop: --max-connections holds every listener",
          "[uring_loop][children][listeners]") {
    if (uring_usable()) test::check_cap_holds_every_listener(uring);
}
