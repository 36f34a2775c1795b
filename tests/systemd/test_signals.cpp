// SIGHUP (reload), SIGUSR1 (log rotation), SIGQUIT (immediate), the bound on SIGTERM and a
// second SIGINT stopping a drain at once, for every model.
#include <signal.h>
#include <sys/wait.h>

#include <filesystem>

#include <catch2/catch.hpp>

#include "daemon.hpp"

using namespace systest;
namespace fs = std::filesystem;

namespace {

std::string config_text(const fs::path& root, const std::string& extra = "") {
    return "root = \"" + root.string() + "\"\n" + extra;
}

// The body of `path`, polled for up to 3 s until it is `want` (prefork replaces its workers
// within 200 ms of a reload; the other models apply it to the next connection).
std::string eventually(std::uint16_t port, const std::string& path, const std::string& want) {
    std::string body;
    for (int i = 0; i < 30 && body != want; ++i) {
        if (i > 0) std::this_thread::sleep_for(100ms);
        body = http_get(port, path).body;
    }
    return body;
}

// Sends SIGHUP and waits for the outcome line logged after `from`.
bool reload(Daemon& d, std::string_view expect) {
    const std::size_t from = d.output().size();
    d.signal(SIGHUP);
    const bool seen = d.wait_output(expect, 10s, from);
    if (!seen) UNSCOPED_INFO(d.output());
    return seen;
}

}  // namespace

TEST_CASE("SIGHUP re-reads the config file; flags still win; bad files are refused",
          "[signals][reload]") {
    const std::string model = GENERATE(from_range(model_names()));
    INFO("model: " << model);
    TempDir dir;
    dir.write("a/page.txt", "from a\n");
    dir.write("a/.secret", "dot a\n");
    dir.write("b/page.txt", "from b\n");
    dir.write("b/.secret", "dot b\n");
    const std::string conf = dir.write("polyhttpd.toml", config_text(dir.path / "a"));
    // --autoindex=false on the command line must survive every reload.
    // No --root flag: it would win over the file, and the file's root is what changes.
    Daemon d(server_argv(model, "", {"--config", conf, "--autoindex=false"}));
    const auto port = d.port();
    REQUIRE(port);
    INFO(d.output());
    CHECK(http_get(*port, "/page.txt").body == "from a\n");
    dir.write("polyhttpd.toml", config_text(dir.path / "b", "hidden = true\nautoindex = true\n"));
    {
        // A connection open across the reload keeps working (the loop model serves only it
        // meanwhile, so the fresh connections come after it closes).
        KeepAlive held(*port);
        CHECK(held.get("/page.txt").status == 200);
        REQUIRE(reload(d, "configuration reloaded"));
        CHECK(held.get("/page.txt").status == 200);
    }
    CHECK(eventually(*port, "/page.txt", "from b\n") == "from b\n");
    CHECK(http_get(*port, "/.secret").body == "dot b\n");  // hidden: live
    CHECK(http_get(*port, "/").status != 200);             // autoindex: the flag won

    dir.write("polyhttpd.toml", config_text(dir.path / "missing"));
    REQUIRE(reload(d, "reload failed, keeping the running configuration"));
    CHECK(http_get(*port, "/page.txt").body == "from b\n");

    // model, listen and workers are flags here (flags win); user is not.
    dir.write("polyhttpd.toml", config_text(dir.path / "b", "user = \"root\"\n"));
    REQUIRE(reload(d, "configuration reloaded"));
    CHECK(d.output().find("reload: user: '' -> 'root' needs a restart") != std::string::npos);
    CHECK(http_get(*port, "/page.txt").status == 200);
}

TEST_CASE("SIGUSR1 reopens the access log after logrotate renamed it", "[signals][logs]") {
    const std::string model = GENERATE(from_range(model_names()));
    INFO("model: " << model);
    TempDir dir;
    dir.write("root/index.html", "x");
    const std::string log = (dir.path / "access.log").string();
    Daemon d(server_argv(model, (dir.path / "root").string(), {"--access-log", log}));
    const auto port = d.port();
    REQUIRE(port);
    for (int i = 0; i < 4; ++i) REQUIRE(http_get(*port, "/before").status == 404);
    fs::rename(log, log + ".1");
    const std::size_t from = d.output().size();
    d.signal(SIGUSR1);
    REQUIRE(d.wait_output("log files reopened", 10s, from));
    for (int i = 0; i < 4; ++i) REQUIRE(http_get(*port, "/after").status == 404);
    d.signal(SIGTERM);
    REQUIRE(d.wait_exit(10s));
    const std::string old_text = dir.read("access.log.1");
    const std::string new_text = dir.read("access.log");
    INFO(d.output() << "old:\n" << old_text << "new:\n" << new_text);
    // Every process (workers and children included) follows the rotation.
    CHECK(old_text.find("/after") == std::string::npos);
    CHECK(std::count(new_text.begin(), new_text.end(), '\n') == 4);
    CHECK(std::count(old_text.begin(), old_text.end(), '\n') == 4);
}

TEST_CASE("SIGQUIT exits at once; SIGTERM is bounded by --shutdown-timeout", "[signals][stop]") {
    const std::string model = GENERATE(from_range(model_names()));
    INFO("model: " << model);
    TempDir dir;
    dir.write("big.bin", std::string(32 << 20, 'x'));
    SECTION("SIGQUIT") {
        Daemon d(server_argv(model, dir.path.string()));
        REQUIRE(d.port());
        d.signal(SIGQUIT);
        CHECK(d.wait_exit(2s).has_value());
    }
    SECTION("SIGTERM with a client that never reads its download") {
        Daemon d(server_argv(model, dir.path.string(),
                             {"--shutdown-timeout", "1s", "--send-timeout", "60s"}));
        const auto port = d.port();
        REQUIRE(port);
        const StalledClient stuck(*port, "/big.bin");
        std::this_thread::sleep_for(300ms);  // the response is in flight and stalls
        const auto start = std::chrono::steady_clock::now();
        d.signal(SIGTERM);
        const auto st = d.wait_exit(5s);
        INFO(d.output());
        REQUIRE(st);
        CHECK(std::chrono::steady_clock::now() - start < 3s);  // 1 s + the 1 s backstop grace
        CHECK(WIFEXITED(*st));
    }
    SECTION("SIGINT twice (Ctrl-C, Ctrl-C) during a download stops at once") {
        Daemon d(server_argv(model, dir.path.string(),
                             {"--shutdown-timeout", "30s", "--send-timeout", "60s"}));
        const auto port = d.port();
        REQUIRE(port);
        const StalledClient stuck(*port, "/big.bin");
        std::this_thread::sleep_for(300ms);  // the response is in flight and stalls
        d.signal(SIGINT);
        CHECK(d.wait_output("SIGINT: draining ", 10s));
        CHECK(d.wait_output("a second SIGINT/SIGTERM stops at once", 10s));
        d.signal(SIGINT);
        // Well inside the 30 s drain: only the second SIGINT ends it this early.
        const auto st = d.wait_exit(10s);
        INFO(d.output());
        REQUIRE(st);
        CHECK(WIFEXITED(*st));
        CHECK(d.output().find("SIGINT again: stopping at once") != std::string::npos);
    }
}
