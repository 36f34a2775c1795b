// sd_notify: what systemd would read from $NOTIFY_SOCKET for a Type=notify service.
#include <catch2/catch.hpp>

#include <signal.h>
#include <sys/wait.h>

#include "daemon.hpp"

using namespace systest;

namespace {

std::string joined(const std::vector<std::string>& seen) {
    std::string out;
    for (const auto& s : seen) out += "[" + s + "] ";
    return out;
}

}  // namespace

TEST_CASE("READY, STATUS, RELOADING around SIGHUP, and STOPPING, for every model", "[notify]") {
    const std::string model = GENERATE(from_range(model_names()));
    INFO("model: " << model);
    TempDir dir;
    dir.write("root/index.html", "hi\n");
    NotifySocket notify(dir.path / "notify.sock");
    Daemon d(server_argv(model, (dir.path / "root").string()), {{notify.env()}});
    std::vector<std::string> seen;
    REQUIRE(notify.wait_for("READY=1", 10s, seen));
    INFO(joined(seen));
    CHECK(seen.back().find("STATUS=model " + model + ", 0 active connections") !=
          std::string::npos);
    // Ready means serving: the first request right after READY=1 is answered.
    const auto port = d.port(1s);
    REQUIRE(port);
    CHECK(http_get(*port, "/").status == 200);

    d.signal(SIGHUP);
    REQUIRE(notify.wait_for("RELOADING=1", 10s, seen));
    CHECK(seen.back().find("MONOTONIC_USEC=") != std::string::npos);
    REQUIRE(notify.wait_for("READY=1", 10s, seen));
    CHECK(http_get(*port, "/").status == 200);

    d.signal(SIGTERM);
    CHECK(notify.wait_for("STOPPING=1", 10s, seen));
    const auto st = d.wait_exit(10s);
    REQUIRE(st);
    CHECK(WIFEXITED(*st));
    CHECK(WEXITSTATUS(*st) == 0);
}

TEST_CASE("WATCHDOG=1 pings at half of WATCHDOG_USEC", "[notify]") {
    TempDir dir;
    NotifySocket notify(dir.path / "notify.sock");
    DaemonOptions opts;
    opts.env = {notify.env(), "WATCHDOG_USEC=400000"};
    opts.watchdog_pid = true;
    Daemon d(server_argv("loop", dir.path.string()), opts);
    std::vector<std::string> seen;
    REQUIRE(notify.wait_for("READY=1", 10s, seen));
    const auto start = std::chrono::steady_clock::now();
    int pings = 0;
    while (pings < 3 && notify.wait_for("WATCHDOG=1", 2s, seen)) ++pings;
    const auto elapsed = std::chrono::steady_clock::now() - start;
    INFO(joined(seen));
    CHECK(pings == 3);
    CHECK(elapsed < 1500ms);  // three pings every 200 ms, with room for a slow machine
}

TEST_CASE("no notify socket: nothing breaks", "[notify]") {
    TempDir dir;
    dir.write("index.html", "x");
    Daemon d(server_argv("loop", dir.path.string()), {{"NOTIFY_SOCKET=/nonexistent/sock"}});
    const auto port = d.port();
    REQUIRE(port);
    d.signal(SIGHUP);
    CHECK(d.wait_output("configuration reloaded", 5s));
    CHECK(http_get(*port, "/").status == 200);
}
