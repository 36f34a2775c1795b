// parse_command_line(): flags, the --config file, actions, and the one-line errors.
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "config/cli.hpp"
#include "config/version.hpp"

namespace fs = std::filesystem;
using config::Action;
using config::ParseResult;
using namespace std::chrono_literals;

namespace {

const std::vector<std::string> models = {"loop", "fork", "thread", "epoll-et"};

ParseResult parse(std::vector<std::string> args) {
    args.insert(args.begin(), "polyhttpd");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return config::parse_command_line(static_cast<int>(argv.size()), argv.data(), models);
}

// A scratch directory removed at scope exit; holds config files and serving roots.
struct TempDir {
    fs::path path;
    TempDir() {
        std::string tmpl = (fs::temp_directory_path() / "polyhttpd-cfg-XXXXXX").string();
        REQUIRE(mkdtemp(tmpl.data()) != nullptr);
        path = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
    std::string write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name) << text;
        return (path / name).string();
    }
};

fs::path example_config() {
    return fs::path(__FILE__).parent_path() / "../../../config/polyhttpd.toml";
}

}  // namespace

TEST_CASE("no arguments gives the defaults, ready to serve", "[cli]") {
    const auto r = parse({});
    CHECK(r.action == Action::serve);
    CHECK(r.message.empty());
    CHECK(r.cfg == config::Config{});
    CHECK(r.cfg.listen == "127.0.0.1:8080");
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
    CHECK(c.listen == "[::1]:0");
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
    const auto r = parse({"--listen", ":1", "--listen", ":2"});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.listen == ":2");
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
        {{"--config", "/nonexistent/p.toml"},
         "--config '/nonexistent/p.toml': cannot read the file"},
    }));
    CAPTURE(args);
    const auto r = parse(args);
    CHECK(r.action == Action::exit_error);
    CHECK(r.message == message);
    CHECK(r.message.find('\n') == std::string::npos);
}

TEST_CASE("the config file sets options by their long names", "[cli][file]") {
    TempDir dir;
    const auto file = dir.write("c.toml",
                                "# comment\n"
                                "model = \"thread\"\n"
                                "listen = \":9000\"\n"
                                "root = \"" +
                                    dir.path.string() +
                                    "\"\n"
                                    "workers = \"auto\"\n"
                                    "max-connections = 5\n"
                                    "header-timeout = \"3s\"\n"
                                    "send-timeout = 4\n"
                                    "max-head-size = \"8k\"\n"
                                    "index = [\"a.html\", \"b.html\"]\n"
                                    "autoindex = true\n"
                                    "hidden = true\n"
                                    "log-level = \"warn\"\n");
    const auto r = parse({"--config", file});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.config_file == file);
    CHECK(r.cfg.model == "thread");
    CHECK(r.cfg.listen == ":9000");
    CHECK(r.cfg.root == dir.path.string());
    CHECK(r.cfg.workers == 0);
    CHECK(r.cfg.max_connections == 5);
    CHECK(r.cfg.header_timeout == 3s);
    CHECK(r.cfg.send_timeout == 4s);
    CHECK(r.cfg.keepalive_timeout == 15s);  // untouched default
    CHECK(r.cfg.max_head_size == 8192);
    CHECK(r.cfg.index == std::vector<std::string>{"a.html", "b.html"});
    CHECK(r.cfg.autoindex);
    CHECK(r.cfg.hidden);
    CHECK(r.cfg.log_level == "warn");
}

TEST_CASE("flags on the command line beat the config file", "[cli][file]") {
    TempDir dir;
    const auto file = dir.write("c.toml",
                                "listen = \":9000\"\nheader-timeout = \"3s\"\n"
                                "autoindex = true\nindex = \"a,b\"\nmodel = \"fork\"\n");
    // Before and after --config: position must not matter.
    const auto r = parse({"--listen", ":1", "--config", file, "--header-timeout", "250ms",
                          "--autoindex=false", "--index", "z.html"});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.listen == ":1");
    CHECK(r.cfg.header_timeout == 250ms);
    CHECK_FALSE(r.cfg.autoindex);
    CHECK(r.cfg.index == std::vector<std::string>{"z.html"});
    CHECK(r.cfg.model == "fork");  // not on the command line: the file's value stands
}

TEST_CASE("config file errors name the file and the key", "[cli][file]") {
    TempDir dir;
    using Case = std::pair<std::string, std::string>;
    const auto [text, tail] = GENERATE(values<Case>({
        {"listen = \":1\"\nbogus = 1\n", "unknown key 'bogus'"},
        {"header_timeout = \"1s\"\n", "unknown key 'header_timeout'"},
        {"[server]\nlisten = \":1\"\n", "unknown section '[server]' (keys go at the top level)"},
        {"version = true\n", "'version' is allowed only on the command line"},
        {"list-models = true\n", "'list-models' is allowed only on the command line"},
    }));
    const auto file = dir.write("bad.toml", text);
    const auto r = parse({"--config", file});
    CHECK(r.action == Action::exit_error);
    CHECK(r.message == "--config '" + file + "': " + tail);
}

TEST_CASE("a bad value in the config file names the option", "[cli][file]") {
    TempDir dir;
    const auto file = dir.write("c.toml", "keepalive-timeout = \"soon\"\n");
    const auto r = parse({"--config", file});
    CHECK(r.action == Action::exit_error);
    CHECK(r.message == "--keepalive-timeout: invalid duration 'soon' (use e.g. 10s, 500ms)");
}

TEST_CASE("the shipped example config loads and holds the defaults but root", "[cli][file]") {
    const auto path = example_config();
    REQUIRE(fs::exists(path));
    // It serves /srv/www, which need not exist here: a flag stands in (flags win).
    TempDir dir;
    const auto r = parse({"--config", path.string(), "--root", dir.path.string()});
    REQUIRE(r.action == Action::serve);
    config::Config expected;
    expected.config_file = path.string();
    expected.root = dir.path.string();
    CHECK(r.cfg == expected);
    std::ifstream in(path);
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    CHECK(text.find("\nroot = \"/srv/www\"\n") != std::string::npos);
}

TEST_CASE("the shipped example config lists every option in --help", "[cli][file]") {
    std::ifstream in(example_config());
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    const std::string help = parse({"--help"}).message;
    const std::set<std::string> command_line_only = {"help", "config", "list-models", "version",
                                                     "check-config"};
    const std::regex long_option("--([a-z][a-z-]*)");
    int options = 0;
    for (std::sregex_iterator it(help.begin(), help.end(), long_option), end; it != end; ++it) {
        const std::string name = (*it)[1];
        if (command_line_only.count(name) != 0) continue;
        ++options;
        CAPTURE(name);
        CHECK(std::regex_search(text, std::regex("(^|\n)" + name + " = ")));
    }
    CHECK(options >= 16);
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
