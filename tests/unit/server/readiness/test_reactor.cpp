// run_reactors(): the readiness models' event loop, serving a loopback listener through an
// EpollPoller, edge- and level-triggered (the two obligations differ: drain to EAGAIN, or
// stop early and be told again). The cases are the ones every loop must pass
// (serving_cases.hpp).
#include <memory>

#include <catch2/catch.hpp>

#include "server/readiness/epoll_poller.hpp"
#include "server/readiness/reactor.hpp"
#include "unit/server/serving_cases.hpp"

namespace {

test::Serve epoll_reactor(bool edge_triggered) {
    return [edge_triggered](server::Context& ctx) {
        return server::run_reactors(ctx, [edge_triggered] {
            return std::make_unique<server::EpollPoller>(edge_triggered);
        });
    };
}

// Runs `check` once per trigger mode (each a run of the calling test case), naming the mode
// in every failure it reports.
void in_both_modes(void (*check)(const test::Serve&)) {
    const bool edge = GENERATE(true, false);
    INFO((edge ? "epoll edge-triggered" : "epoll level-triggered"));
    check(epoll_reactor(edge));
}

}  // namespace

TEST_CASE("reactor: one GET answered on a kept-alive connection", "[reactor][children]") {
    in_both_modes(test::check_one_get);
}

TEST_CASE("reactor: 20 pipelined requests in one write answered in order", "[reactor][children]") {
    in_both_modes(test::check_pipelined_in_order);
}

TEST_CASE("reactor: a busy kept-alive client outlives the keep-alive timeout",
          "[reactor][children][timeouts]") {
    in_both_modes(test::check_busy_keepalive_outlives_timeout);
}

TEST_CASE("reactor: Connection: close closes after the response", "[reactor][children]") {
    in_both_modes(test::check_connection_close);
}

TEST_CASE("reactor: a stop closes an idle kept-alive connection; the loop returns",
          "[reactor][children]") {
    in_both_modes(test::check_stop_closes_idle);
}

TEST_CASE("reactor: at --max-connections a second client waits until the first closes",
          "[reactor][children]") {
    in_both_modes(test::check_max_connections);
}

TEST_CASE("reactor: two listeners are served together", "[reactor][children][listeners]") {
    in_both_modes(test::check_two_listeners);
}

TEST_CASE("reactor: --max-connections holds every listener", "[reactor][children][listeners]") {
    in_both_modes(test::check_cap_holds_every_listener);
}
