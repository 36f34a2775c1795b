// Metrics, privilege drop, journald-style error lines and access-log formats, end to end.
#include <catch2/catch.hpp>

#include <pwd.h>
#include <sys/stat.h>
#include <signal.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <sstream>

#include "daemon.hpp"

using namespace systest;

namespace {

// The value of one sample line of a Prometheus exposition, or -1.
double sample(const std::string& text, const std::string& name) {
    const auto at = text.find("\n" + name + " ");
    if (at == std::string::npos) return -1;
    return std::stod(text.substr(at + name.size() + 2));
}

std::string proc_status_line(pid_t pid, const std::string& key) {
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);)
        if (line.rfind(key + ":", 0) == 0) {
            while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.pop_back();
            return line;
        }
    return {};
}

}  // namespace

TEST_CASE("--status-path: Prometheus metrics that count every process's requests",
          "[metrics]") {
    const std::string model = GENERATE(from_range(model_names()));
    INFO("model: " << model);
    TempDir dir;
    dir.write("index.html", "hello\n");
    dir.write("metrics", "a file hidden by the endpoint\n");
    Daemon d(server_argv(model, dir.path.string(), {"--status-path", "/metrics"}));
    const auto port = d.port();
    REQUIRE(port);
    for (int i = 0; i < 10; ++i) REQUIRE(http_get(*port, "/").status == 200);
    for (int i = 0; i < 3; ++i) REQUIRE(http_get(*port, "/missing").status == 404);
    const HttpResult r = http_get(*port, "/metrics?x=1");
    INFO(r.head << r.body);
    REQUIRE(r.status == 200);
    CHECK(r.head.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n") !=
          std::string::npos);
    const std::string& m = r.body;
    CHECK(sample(m, "polyhttpd_requests_total{class=\"2xx\"}") == 10);
    CHECK(sample(m, "polyhttpd_requests_total{class=\"4xx\"}") == 3);
    CHECK(sample(m, "polyhttpd_bytes_sent_total") >= 10 * 6);
    CHECK(sample(m, "polyhttpd_connections_total") == 14);
    CHECK(sample(m, "polyhttpd_connections_active") == 1);  // this request's
    CHECK(sample(m, "polyhttpd_info{model=\"" + model + "\",version=\"0.1.0\"}") == 1);
    CHECK(sample(m, "polyhttpd_uptime_seconds") > 0);
    CHECK(sample(m, "polyhttpd_request_duration_seconds_count") == 13);
    CHECK(sample(m, "polyhttpd_request_duration_seconds_bucket{le=\"+Inf\"}") == 13);
    CHECK(m.find("# TYPE polyhttpd_request_duration_seconds histogram\n") != std::string::npos);
    CHECK(http_get(*port, "/metricsx").status == 404);  // exact path only
}

TEST_CASE("--status-path is off by default", "[metrics]") {
    TempDir dir;
    Daemon d(server_argv("loop", dir.path.string()));
    const auto port = d.port();
    REQUIRE(port);
    CHECK(http_get(*port, "/metrics").status == 404);
}

TEST_CASE("--user/--group drop root after binding, for every model", "[privileges]") {
    if (::geteuid() != 0) {
        WARN("not root: the privilege drop is not exercised");
        return;
    }
    const passwd* nobody = ::getpwnam("nobody");
    REQUIRE(nobody != nullptr);
    const std::string model = GENERATE(from_range(model_names()));
    INFO("model: " << model);
    TempDir dir;
    dir.write("index.html", "unprivileged\n");
    ::chmod((dir.path / "index.html").c_str(), 0644);
    Daemon d(server_argv(model, dir.path.string(), {"--user", "nobody", "--group", "nogroup"}));
    const auto port = d.port();
    REQUIRE(port);
    INFO(d.output());
    const std::string uid = std::to_string(nobody->pw_uid);
    const std::string all4 = uid + "\t" + uid + "\t" + uid + "\t" + uid;  // real, eff, saved, fs
    CHECK(proc_status_line(d.pid(), "Uid") == "Uid:\t" + all4);
    CHECK(proc_status_line(d.pid(), "Groups") == "Groups:");
    CHECK(proc_status_line(d.pid(), "CapEff") == "CapEff:\t0000000000000000");
    CHECK(http_get(*port, "/").body == "unprivileged\n");
    CHECK(d.output().find("serving as root") == std::string::npos);
}

TEST_CASE("serving as root is warned about; a bad --user stops startup", "[privileges]") {
    TempDir dir;
    if (::geteuid() == 0) {
        Daemon d(server_argv("loop", dir.path.string()));
        REQUIRE(d.port());
        CHECK(d.wait_output("serving as root", 2s));
    }
    std::string out;
    CHECK(run_command(server_argv("loop", dir.path.string(), {"--user", "no-such-user-x"}), out) ==
          2);
    CHECK(out.find("--user: no such user 'no-such-user-x'") != std::string::npos);
}

TEST_CASE("under systemd, error-log lines carry journald priorities, no timestamp", "[journal]") {
    TempDir dir;
    DaemonOptions opts;
    opts.journal_stream = true;
    Daemon d(server_argv("loop", dir.path.string(), {"--root", "/nonexistent-root"}), opts);
    REQUIRE(d.wait_exit(5s));
    CHECK(d.output() == "<3>polyhttpd: --root: '/nonexistent-root' does not exist\n");

    Daemon ok(server_argv("prefork", dir.path.string()), opts);
    REQUIRE(ok.wait_output("listening on", 10s));
    ok.signal(SIGTERM);
    REQUIRE(ok.wait_exit(10s));
    const std::string out = ok.output();
    INFO(out);
    CHECK(std::regex_search(out, std::regex(R"((^|\n)<6>listening on 127\.0\.0\.1:\d+ )")));
    CHECK(std::regex_search(out, std::regex(R"((^|\n)<6>stopped after 0 requests\n)")));
    // No line starts with our own timestamp.
    CHECK_FALSE(std::regex_search(out, std::regex(R"((^|\n)\d{4}-\d\d-\d\dT)")));
    if (::geteuid() == 0) CHECK(out.find("<4>serving as root") != std::string::npos);
}

TEST_CASE("access log formats end to end", "[logs]") {
    TempDir dir;
    dir.write("root/index.html", "x");
    const std::string format = GENERATE(as<std::string>(), "common", "combined", "json");
    const std::string log = (dir.path / "access.log").string();
    Daemon d(server_argv("thread", (dir.path / "root").string(),
                         {"--access-log", log, "--access-log-format", format}));
    const auto port = d.port();
    REQUIRE(port);
    REQUIRE(http_get(*port, "/?q=\"1\"", "User-Agent: t\"ua\r\nReferer: http://r/\r\n").status ==
            200);
    d.signal(SIGTERM);
    REQUIRE(d.wait_exit(10s));
    const std::string line = dir.read("access.log");
    INFO(line);
    static const std::string clf_head =
        R"(127\.0\.0\.1 - - \[.*\] "GET /\?q=\\x221\\x22 HTTP/1\.1" 200 1 )";
    if (format == "json") {
        CHECK(std::regex_match(
            line, std::regex(R"(\{"time":"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ",)"
                             R"("remote_addr":"127\.0\.0\.1","method":"GET",)"
                             R"("target":"/\?q=\\"1\\"","protocol":"HTTP/1\.1",)"
                             R"("status":200,"bytes":1,"referer":"http://r/",)"
                             R"("user_agent":"t\\"ua","site":"default","duration_us":\d+\}\n)")));
    } else if (format == "combined") {
        CHECK(std::regex_match(line, std::regex(clf_head + R"("http://r/" "t\\x22ua" \d+\n)")));
    } else {
        CHECK(std::regex_match(line, std::regex(clf_head + R"(\d+\n)")));
    }
}
