// Socket activation (sd_listen_fds) for every model, started by systemd's own test tool the
// way a .socket unit would start the service: systemd-socket-activate binds, waits for the
// first connection, then execs polyhttpd with the socket as fd 3 and $LISTEN_FDS set.
#include <signal.h>

#include <catch2/catch.hpp>

#include "daemon.hpp"

using namespace systest;

namespace {

bool have_activate() {
    if (have_program("systemd-socket-activate")) return true;
    WARN("systemd-socket-activate is not installed (Debian package systemd): skipped");
    return false;
}

}  // namespace

TEST_CASE("every model serves the socket systemd passes", "[activation]") {
    if (!have_activate()) return;
    const std::string model = GENERATE(from_range(model_names()));
    INFO("model: " << model);
    TempDir root;
    root.write("index.html", "activated\n");
    HttpResult r;
    std::string log;
    // The port is free a moment before the tool binds it; retry the rare lost race.
    for (int attempt = 0; attempt < 3 && r.status == 0; ++attempt) {
        const std::uint16_t port = free_port();
        auto argv = server_argv(model, root.path.string(), {"--listen", "127.0.0.1:1"});
        argv.insert(argv.begin(),
                    {"systemd-socket-activate", "-l", "127.0.0.1:" + std::to_string(port)});
        Daemon d(argv);
        if (!d.wait_output("Listening on", 5s)) continue;
        r = http_get(port, "/");
        d.wait_output("listening on", 5s);
        log = d.output();
        CHECK(log.find("listening on 127.0.0.1:" + std::to_string(port) + " (socket activation") !=
              std::string::npos);
        d.signal(SIGTERM);
        CHECK(d.wait_exit(10s).has_value());
    }
    INFO(log << r.error);
    CHECK(r.status == 200);
    CHECK(r.body == "activated\n");
}

TEST_CASE("a unix stream socket passed by systemd is served too", "[activation]") {
    if (!have_activate()) return;
    TempDir dir;
    dir.write("root/index.html", "over unix\n");
    const std::string sock = (dir.path / "http.sock").string();
    auto argv = server_argv("epoll-et", (dir.path / "root").string());
    argv.insert(argv.begin(), {"systemd-socket-activate", "-l", sock});
    Daemon d(argv);
    REQUIRE(d.wait_output("Listening on", 5s));
    const HttpResult r = http_get_unix(sock, "/");
    INFO(d.output() << r.error);
    CHECK(r.status == 200);
    CHECK(r.body == "over unix\n");
    CHECK(d.wait_output("listening on unix:" + sock, 5s));
}

TEST_CASE("every model serves two sockets systemd passes, named http and https",
          "[activation][listeners]") {
    if (!have_activate()) return;
    const std::string model = GENERATE(from_range(model_names()));
    INFO("model: " << model);
    TempDir root;
    root.write("index.html", "activated\n");
    HttpResult first, second;
    std::string log;
    // The ports are free a moment before the tool binds them; retry the rare lost race.
    for (int attempt = 0; attempt < 3 && second.status == 0; ++attempt) {
        const std::uint16_t a = free_port(), b = free_port();
        if (a == b) continue;
        const std::string pa = "127.0.0.1:" + std::to_string(a);
        const std::string pb = "127.0.0.1:" + std::to_string(b);
        // --listen names both, so no mismatch is warned about.
        auto argv = server_argv(model, root.path.string(), {"--listen", pa + "," + pb});
        argv.insert(argv.begin(),
                    {"systemd-socket-activate", "-l", pa, "-l", pb, "--fdname=http:https"});
        Daemon d(argv);
        if (!d.wait_output("Listening on", 5s)) continue;
        first = http_get(a, "/");  // starts the server
        second = http_get(b, "/");
        d.wait_output("listening on", 5s);
        log = d.output();
        CHECK(log.find("listening on " + pa + ", " + pb + " (socket activation") !=
              std::string::npos);
        CHECK(log.find("socket activation: ") == std::string::npos);  // no warning
        d.signal(SIGTERM);
        CHECK(d.wait_exit(10s).has_value());
    }
    INFO(log << first.error << second.error);
    CHECK(first.status == 200);
    CHECK(second.status == 200);
    CHECK(second.body == "activated\n");
}
