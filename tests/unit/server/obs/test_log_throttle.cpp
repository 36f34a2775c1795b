// LogThrottle: one report per interval, each counting the ones held back before it; the
// shared variant throttles forked processes together.
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "server/obs/log_throttle.hpp"

using server::LogThrottle;
using namespace std::chrono_literals;

TEST_CASE("LogThrottle lets one report through per interval and counts the rest",
          "[log_throttle]") {
    LogThrottle t(10s);
    const LogThrottle::clock::time_point t0{100s};
    CHECK(t.admit(t0) == 1);  // the first always passes
    CHECK(t.admit(t0 + 1s) == 0);
    CHECK(t.admit(t0 + 9s) == 0);
    CHECK(t.admit(t0 + 10s) == 3);  // itself and the two held back
    CHECK(t.admit(t0 + 12s) == 0);
    CHECK(t.admit(t0 + 25s) == 2);
    CHECK(t.admit(t0 + 40s) == 1);
}

TEST_CASE("SharedLogThrottle is one throttle for a process and its children", "[log_throttle]") {
    const server::SharedLogThrottle t(1h);
    const pid_t child = ::fork();
    if (child == 0) ::_exit(t.admit() == 1 ? 0 : 1);  // the child reports first
    REQUIRE(child > 0);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(t.admit() == 0);  // the parent's report falls in the same interval
}
