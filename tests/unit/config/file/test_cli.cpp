// parse_command_line(): flags, actions, and the one-line errors. The --config file's tests are
// in test_config_file.cpp.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "unit/config/cli_fixture.hpp"
#include "config/version.hpp"

using config::Action;
using config::ParseResult;
using namespace std::chrono_literals;
using namespace cli_test;

TEST_CASE("no arguments gives the defaults, ready to serve", "[cli]") {
    const auto r = parse({});
    CHECK(r.action == Action::serve);
    CHECK(r.message.empty());
    CHECK(r.cfg == config::Config{});
    CHECK(r.cfg.listen == std::vector<std::string>{"127.0.0.1:8080"});
    CHECK(r.cfg.index == std::vector<std::string>{"index.html"});
    CHECK(r.cfg.header_timeout == 10s);
}

TEST_CASE("every option is converted into Config", "[cli]") {
    TempDir dir;
    const auto r = parse({"--model",
                          "epoll-et",
                          "--listen",
                          "[::1]:0",
                          "--root",
                          dir.path.string(),
                          "--workers",
                          "8",
                          "--max-connections",
                          "77",
                          "--header-timeout",
                          "500ms",
                          "--keepalive-timeout",
                          "2m",
                          "--send-timeout",
                          "7",
                          "--shutdown-timeout",
                          "1h",
                          "--max-head-size",
                          "32k",
                          "--max-target-size",
                          "1024",
                          "--access-log",
                          "off",
                          "--log-level",
                          "debug",
                          "--autoindex",
                          "--hidden",
                          "--defer-accept",
                          "3s"});
    REQUIRE(r.action == Action::serve);
    const auto& c = r.cfg;
    CHECK(c.model == "epoll-et");
    CHECK(c.listen == std::vector<std::string>{"[::1]:0"});
    CHECK(c.root == dir.path.string());
    CHECK(c.workers == 8);
    CHECK(c.max_connections == 77);
    CHECK(c.header_timeout == 500ms);
    CHECK(c.keepalive_timeout == 2min);
    CHECK(c.send_timeout == 7s);
    CHECK(c.shutdown_timeout == 1h);
    CHECK(c.defer_accept == 3s);
    CHECK(c.max_head_size == 32 * 1024);
    CHECK(c.max_target_size == 1024);
    CHECK(c.access_log == "off");
    CHECK(c.log_level == "debug");
    CHECK(c.autoindex);
    CHECK(c.hidden);
}

TEST_CASE("--workers auto is stored as 0", "[cli]") {
    const auto r = parse({"--workers", "auto"});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.workers == 0);
}

TEST_CASE("--index is repeatable and comma-separated, replacing the default", "[cli]") {
    const auto r = parse({"--index", "a.html,b.htm", "--index", "c"});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.index == std::vector<std::string>{"a.html", "b.htm", "c"});
}

TEST_CASE("a repeated scalar option keeps the last value", "[cli]") {
    const auto r = parse({"--model", "loop", "--model", "fork"});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.model == "fork");
}

TEST_CASE("--listen is repeatable and comma-separated, replacing the default", "[cli][listeners]") {
    const auto r = parse({"--listen", ":1", "--listen", "127.0.0.1:2,[::1]:3"});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.listen == std::vector<std::string>{":1", "127.0.0.1:2", "[::1]:3"});
}

TEST_CASE("--listen refuses an address given twice, also spelled differently", "[cli][listeners]") {
    CHECK(parse({"--listen", ":8080", "--listen", ":8080"}).message ==
          "--listen: ':8080' is given twice");
    // ":8080" is every IPv4 interface, as "0.0.0.0:8080" is.
    CHECK(parse({"--listen", ":8080,0.0.0.0:8080"}).message ==
          "--listen: '0.0.0.0:8080' is given twice");
    CHECK(parse({"--listen", ":8080,:8080"}).action == Action::exit_error);
    // Port 0 asks for a fresh port each time: two of them are two listeners.
    const auto r = parse({"--listen", "127.0.0.1:0", "--listen", "127.0.0.1:0"});
    CHECK(r.action == Action::serve);
    CHECK(r.cfg.listen.size() == 2);
    // Another port, or another host, is another listener.
    CHECK(parse({"--listen", "127.0.0.1:1,127.0.0.1:2,127.0.0.2:1"}).action == Action::serve);
}

TEST_CASE("actions", "[cli]") {
    SECTION("--list-models returns the names, one per line") {
        const auto r = parse({"--list-models"});
        CHECK(r.action == Action::list_models);
        CHECK(r.message == "loop\nfork\nthread\nepoll-et");
    }
    SECTION("--version wins over bad values") {
        const auto r = parse({"--version", "--workers", "many"});
        CHECK(r.action == Action::exit_ok);
        CHECK(r.message == "polyhttpd 0.1.0");
        CHECK(r.message == config::version_line);
    }
    SECTION("--help returns CLI11's help text naming every model") {
        const auto r = parse({"--help"});
        CHECK(r.action == Action::exit_ok);
        CHECK_THAT(r.message, Catch::Contains("Usage: polyhttpd"));
        CHECK_THAT(r.message, Catch::Contains("--header-timeout"));
        CHECK_THAT(r.message, Catch::Contains("loop, fork, thread, epoll-et"));
    }
    SECTION("--check-config on a good configuration: main() runs the preflight") {
        const auto r = parse({"--check-config", "--listen", ":0"});
        CHECK(r.action == Action::check_config);
        CHECK(r.message == "configuration OK");
    }
    SECTION("--check-config on a bad configuration") {
        const auto r = parse({"--check-config", "--root", "/nonexistent/polyhttpd"});
        CHECK(r.action == Action::exit_error);
        CHECK(r.message == "--root: '/nonexistent/polyhttpd' does not exist");
    }
}

TEST_CASE("each bad value gives one line naming the option", "[cli]") {
    using Case = std::pair<std::vector<std::string>, std::string>;
    const auto [args, message] = GENERATE(values<Case>({
        {{"--model", "foo"}, "unknown model 'foo'; valid models: loop, fork, thread, epoll-et"},
        {{"--header-timeout", "abc"},
         "--header-timeout: invalid duration 'abc' (use e.g. 10s, 500ms)"},
        {{"--keepalive-timeout", "-1s"},
         "--keepalive-timeout: invalid duration '-1s' (use e.g. 10s, 500ms)"},
        {{"--send-timeout", "1.5s"},
         "--send-timeout: invalid duration '1.5s' (use e.g. 10s, 500ms)"},
        {{"--shutdown-timeout", "0"}, "--shutdown-timeout: must be greater than zero"},
        {{"--max-head-size", "lots"},
         "--max-head-size: invalid size 'lots' (use e.g. 16384 or 16k)"},
        {{"--max-head-size", "2M"}, "--max-head-size: 2097152 is outside 1k..1M bytes"},
        {{"--max-target-size", "8x"}, "--max-target-size: invalid size '8x' (use e.g. 8192 or 8k)"},
        {{"--max-target-size", "100"},
         "--max-target-size: 100 is outside 256..max-head-size (16384) bytes"},
        {{"--workers", "many"}, "--workers: invalid worker count 'many' (use a number or auto)"},
        {{"--workers", "1025"}, "--workers: 1025 is above the maximum of 1024"},
        {{"--max-connections", "-5"}, "--max-connections: invalid number '-5'"},
        {{"--max-connections", "0"}, "--max-connections: must be at least 1"},
        {{"--log-level", "loud"},
         "--log-level: unknown level 'loud' (use trace, debug, info, warn, error, critical or "
         "off)"},
        {{"--listen", "8080"},
         "--listen: invalid address '8080' (use host:port, [ipv6]:port or :port, port 0-65535)"},
        {{"--root", "/etc/passwd"}, "--root: '/etc/passwd' is not a directory"},
        {{"--index", "../x"}, "--index: invalid file name '../x' (a plain name like index.html)"},
        {{"--access-log", ""}, "--access-log: empty path (use a file path, - for stdout, or off)"},
        {{"--root"}, "--root: 1 required DIR missing (see --help)"},
        {{"--bogus"}, "The following argument was not expected: --bogus (see --help)"},
        {{"stray"}, "The following argument was not expected: stray (see --help)"},
    }));
    CAPTURE(args);
    const auto r = parse(args);
    CHECK(r.action == Action::exit_error);
    CHECK(r.message == message);
    CHECK(r.message.find('\n') == std::string::npos);
}

TEST_CASE("operations options: log formats, status path, identity", "[cli][ops]") {
    const auto r = parse({"--access-log-format", "json", "--error-log", "/tmp/err.log",
                          "--status-path", "/metrics", "--user", "root", "--group", "0"});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.access_log_format == "json");
    CHECK(r.cfg.error_log == "/tmp/err.log");
    CHECK(r.cfg.status_path == "/metrics");
    CHECK(r.cfg.user == "root");
    CHECK(r.cfg.group == "0");
    const config::Config defaults;
    CHECK(defaults.access_log_format == "combined");
    CHECK(defaults.error_log == "-");
    CHECK(defaults.status_path.empty());
    CHECK(defaults.user.empty());
}

TEST_CASE("bad operations values give one line naming the option", "[cli][ops]") {
    using Case = std::pair<std::vector<std::string>, std::string>;
    const auto [args, message] = GENERATE(values<Case>({
        {{"--access-log-format", "xml"},
         "--access-log-format: unknown format 'xml' (use common, combined or json)"},
        {{"--error-log", ""}, "--error-log: empty path (use a file path or - for stderr)"},
        {{"--status-path", "metrics"},
         "--status-path: invalid path 'metrics' (an absolute path of letters, digits, -, _, . "
         "and /, such as /metrics)"},
        {{"--status-path", "/a/../m"},
         "--status-path: invalid path '/a/../m' (an absolute path of letters, digits, -, _, . "
         "and /, such as /metrics)"},
        {{"--status-path", "/m?x"},
         "--status-path: invalid path '/m?x' (an absolute path of letters, digits, -, _, . "
         "and /, such as /metrics)"},
        {{"--user", "no-such-user-polyhttpd"}, "--user: no such user 'no-such-user-polyhttpd'"},
        {{"--group", "no-such-group-polyhttpd"},
         "--group: no such group 'no-such-group-polyhttpd'"},
    }));
    CAPTURE(args);
    const auto r = parse(args);
    CHECK(r.action == Action::exit_error);
    CHECK(r.message == message);
}

TEST_CASE("user and group names and numeric IDs resolve", "[cli][ops]") {
    CHECK(config::resolve_user("root") == 0u);
    CHECK(config::resolve_user("12345") == 12345u);
    CHECK(config::resolve_group("root") == 0u);
    CHECK_FALSE(config::resolve_user("no-such-user-polyhttpd").has_value());
    CHECK_FALSE(config::resolve_user("").has_value());
}

TEST_CASE("--max-requests-per-worker: a count, 0 (never) by default", "[cli]") {
    CHECK(config::Config{}.max_requests_per_worker == 0);
    const auto r = parse({"--max-requests-per-worker", "500"});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.max_requests_per_worker == 500);
    const auto bad = parse({"--max-requests-per-worker", "-1"});
    CHECK(bad.action == Action::exit_error);
    CHECK(bad.message == "--max-requests-per-worker: invalid number '-1'");
}
