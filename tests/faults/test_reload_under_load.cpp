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

namespace {

// Under AddressSanitizer a process model can fork while the control thread is allocating for
// a reload; seen once in CI: a fork child never answered and had to be killed at shutdown, in
// the ASan build only (the Release build runs this case for every model). The sanitizer's own
// allocator, unlike glibc's, may be left locked in the child. Not proven; until it is, the
// process models run this case in the Release build only, and say so here.
bool skipped_under_asan(const std::string& model) {
#if defined(__SANITIZE_ADDRESS__)
    return model == "fork" || model == "prefork";
#else
    (void)model;
    return false;
#endif
}

}  // namespace

TEST_CASE("faults: reloads and log reopens under load", "[faults][reload]") {
    MODEL_UNDER_TEST();
    if (skipped_under_asan(model)) {
        WARN(model << ": reload storm not run under ASan (see skipped_under_asan); the Release "
                      "suite runs it");
        return;
    }
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
