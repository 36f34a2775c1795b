// Reloads (SIGHUP) and log reopens (SIGUSR1) while clients are being served, over every model:
// the control thread replaces the runtime snapshot and reopens the access log under the
// serving threads' feet (or, for prefork, replaces the workers). Every request is answered,
// and the server exits cleanly afterwards. Under ThreadSanitizer (scripts/dev.sh test-tsan)
// this is the case that crosses the control thread with the serving ones.
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include <catch2/catch.hpp>

#include "fault_tests.hpp"
#include "suite.hpp"

using namespace ftest;

TEST_CASE("faults: reloads and log reopens under load", "[faults][reload]") {
    MODEL_UNDER_TEST();
    const mtest::BigRoot root;
    const std::string log = root.path() + "/access.log";
    itest::ServerProcess server(model, root.path(), {"--workers", "2", "--access-log", log});
    std::atomic<int> failed{0};
    std::thread load([&] { failed += mtest::burst(server.port(), 300, 3); });
    for (int i = 0; i < 10; ++i) {
        server.send_signal(SIGHUP);
        ::usleep(30'000);
        server.send_signal(SIGUSR1);
        ::usleep(30'000);
    }
    load.join();
    INFO(server.output_tail());
    CHECK(failed == 0);
    CHECK(server.running());
    CHECK(mtest::burst(server.port(), 10, 2) == 0);
    const itest::Exit e = server.stop(10s);
    INFO(e.describe());
    CHECK(e.clean());
}
