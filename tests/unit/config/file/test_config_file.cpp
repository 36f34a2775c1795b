// The --config file through parse_command_line(): TOML as cpptoml reads it, every key checked
// against the option table, every problem one line naming the file, line, column and key.
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "unit/config/cli_fixture.hpp"

using config::Action;
using namespace std::chrono_literals;
using namespace cli_test;

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
    CHECK(r.cfg.listen == std::vector<std::string>{":9000"});
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
    CHECK(r.cfg.listen == std::vector<std::string>{":1"});
    CHECK(r.cfg.header_timeout == 250ms);
    CHECK_FALSE(r.cfg.autoindex);
    CHECK(r.cfg.index == std::vector<std::string>{"z.html"});
    CHECK(r.cfg.model == "fork");  // not on the command line: the file's value stands
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

TEST_CASE("integers, arrays, \"a,b\" strings, comments and CRLF line ends", "[cli][file]") {
    TempDir dir;
    const std::string text =
        "workers = 3            # a count\n"
        "max-head-size = 32768  # bytes\n"
        "header-timeout = 7     # seconds\n"
        "index = [ \"a.html\",   # one per line\n"
        "          \"b.html\" ]\n"
        "'autoindex' = true\n"
        "status-path = '/metrics'\n";
    std::string crlf;
    for (const char c : text) crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
    for (const std::string& variant : {text, crlf, "\xEF\xBB\xBF" + text}) {
        const auto file = dir.write("c.toml", variant);
        const auto r = parse({"--config", file});
        CAPTURE(variant);
        INFO(r.message);
        REQUIRE(r.action == Action::serve);
        CHECK(r.cfg.workers == 3);
        CHECK(r.cfg.max_head_size == 32768);
        CHECK(r.cfg.header_timeout == 7s);
        CHECK(r.cfg.index == std::vector<std::string>{"a.html", "b.html"});
        CHECK(r.cfg.autoindex);
        CHECK(r.cfg.status_path == "/metrics");
    }
    // A list may also be one string, split at commas as the flag is.
    const auto r = parse({"--config", dir.write("c.toml", "index = \"x.html,y.html\"\n")});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.index == std::vector<std::string>{"x.html", "y.html"});
}

TEST_CASE("listen takes an array, or one string of one or more addresses",
          "[cli][file][listeners]") {
    TempDir dir;
    auto r = parse({"--config", dir.write("c.toml", "listen = [\":1\", \"127.0.0.1:2\"]\n")});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.listen == std::vector<std::string>{":1", "127.0.0.1:2"});
    r = parse({"--config", dir.write("c.toml", "listen = \":1,:2\"\n")});
    CHECK(r.cfg.listen == std::vector<std::string>{":1", ":2"});
    // The flag replaces the file's list, wholly.
    r = parse({"--config", dir.write("c.toml", "listen = [\":1\", \":2\"]\n"), "--listen", ":3"});
    CHECK(r.cfg.listen == std::vector<std::string>{":3"});
    // A duplicate in the file is placed there.
    const auto file = dir.write("c.toml", "\nlisten = [\":1\", \":1\"]\n");
    r = parse({"--config", file});
    CHECK(r.action == Action::exit_error);
    CHECK(r.message == "--config '" + file + "' line 2, column 10: --listen: ':1' is given twice");
}

TEST_CASE("an empty file or one of comments only leaves the defaults", "[cli][file]") {
    TempDir dir;
    const auto file = dir.write("c.toml", GENERATE(std::string(), "# nothing\n\n   # set\n"));
    const auto r = parse({"--config", file});
    REQUIRE(r.action == Action::serve);
    config::Config expected;
    expected.config_file = file;
    CHECK(r.cfg == expected);
}

TEST_CASE("--config given twice: the last one is read", "[cli][file]") {
    TempDir dir;
    const auto first = dir.write("1.toml", "listen = \":1\"\n");
    const auto second = dir.write("2.toml", "model = \"loop\"\n");
    const auto r = parse({"--config", first, "--config", second});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.config_file == second);
    CHECK(r.cfg.model == "loop");
    CHECK(r.cfg.listen == config::Config{}.listen);
}

// The file's bad inputs, each as the one line that refuses it (after "--config 'FILE' ").
TEST_CASE("every problem in the file is one line with its line, column and key", "[cli][file]") {
    TempDir dir;
    using Case = std::pair<std::string, std::string>;
    const auto [text, tail] = GENERATE(values<Case>({
        // Syntax, as cpptoml finds it; the column is ours.
        {"root = \"/srv/www\n", "line 1, column 8: unclosed string ('root')"},
        {"index = [\"a\", \"b\"\n", "line 1, column 9: unclosed array ('index')"},
        {"index = [\"a\",\n\"b\"\nroot = \"x\"\n", "line 1, column 9: unclosed array ('index')"},
        {"index = [\"a\"x\n", "line 1, column 9: unclosed array ('index')"},  // cpptoml takes it
        {"root = { path = \"/srv\"\n", "line 1, column 8: unclosed inline table ('root')"},
        {"root = \"a\"\nroot = \"b\"\n", "line 2, column 1: duplicate key ('root')"},
        {"autoindex = yes\n",
         "line 1, column 13: not a TOML value (text needs quotes: \"...\"; flags are true or "
         "false) ('autoindex')"},
        {"# x\nmodel = epoll-et\n",
         "line 2, column 9: not a TOML value (text needs quotes: \"...\"; flags are true or "
         "false) ('model')"},
        {"root = \"x\" junk\n",
         "line 1, column 12: unexpected 'j' after the value (a comment starts with #) ('root')"},
        {"root = \"j\" j\n",
         "line 1, column 12: unexpected 'j' after the value (a comment starts with #) ('root')"},
        {"root = \"\xC3\xA9\" x\n",  // columns count characters: é is one
         "line 1, column 12: unexpected 'x' after the value (a comment starts with #) ('root')"},
        {"root = \"a\"\r\nroot = \"b\"\r\n", "line 2, column 1: duplicate key ('root')"},
        {"root = \"a\"\r",
         "line 1, column 11: unexpected byte 0x0D after the value (a comment "
         "starts with #) ('root')"},
        {"a b = 1\n", "line 1, column 3: bare key a b cannot contain whitespace ('a')"},
        // Keys the option table does not have.
        {"listen = \":1\"\nbogus = 1\n", "line 2, column 1: unknown key 'bogus'"},
        {"header_timeout = \"1s\"\n", "line 1, column 1: unknown key 'header_timeout'"},
        {"a.b = 1\n", "line 1, column 1: unknown key 'a.b'"},
        {"[server]\nlisten = \":1\"\n",
         "line 1, column 1: unknown section '[server]' (keys go at the top level)"},
        {"[[server]]\n",
         "line 1, column 1: unknown section '[[server]]' (keys go at the top level)"},
        {"version = true\n", "line 1, column 1: 'version' is allowed only on the command line"},
        {"list-models = true\n",
         "line 1, column 1: 'list-models' is allowed only on the command line"},
        {"  config = \"x.toml\"\n",
         "line 1, column 3: 'config' is allowed only on the command line"},
        // Types.
        {"root = 5\n", "line 1, column 8: 'root' must be a string, not an integer"},
        {"root = true\n", "line 1, column 8: 'root' must be a string, not a boolean"},
        {"root = { path = \"/srv\" }\n", "line 1, column 8: 'root' must be a string, not a table"},
        {"root.path = \"/srv\"\n", "line 1, column 1: 'root' must be a string, not a table"},
        {"autoindex = \"yes\"\n",
         "line 1, column 13: 'autoindex' must be true or false, not a string"},
        {"hidden = 1\n", "line 1, column 10: 'hidden' must be true or false, not an integer"},
        {"workers = 1.5\n",
         "line 1, column 11: 'workers' must be an integer or a string, not a float"},
        {"header-timeout = 1979-05-27\n",
         "line 1, column 18: 'header-timeout' must be an integer (seconds) or a string such as "
         "\"10s\", not a date"},
        {"max-head-size = 1e4\n",
         "line 1, column 17: 'max-head-size' must be an integer (bytes) or a string such as "
         "\"16k\", not a float"},
        {"index = [1, 2]\n",
         "line 1, column 9: 'index' must be an array of strings or a string (\"a,b\"), not an "
         "array of integers"},
        // Values the option's converter refuses, placed like the rest.
        {"keepalive-timeout = \"soon\"\n",
         "line 1, column 21: 'keepalive-timeout': invalid duration 'soon' (use e.g. 10s, 500ms)"},
        {"workers = -1\n",
         "line 1, column 11: 'workers': invalid worker count '-1' (use a number or auto)"},
        // The first problem in the file's order, whatever order cpptoml keeps keys in.
        {"zeta = 1\nroot = 5\n", "line 1, column 1: unknown key 'zeta'"},
        // A key-like line inside a multi-line string is no key.
        {"status-path = \"\"\"\nroot = 1\n\"\"\"\nroot = 5\n",
         "line 4, column 8: 'root' must be a string, not an integer"},
    }));
    CAPTURE(text);
    CHECK(refusal(dir, text) == tail);
}

TEST_CASE("a file that cannot be read is one line naming it and why", "[cli][file]") {
    TempDir dir;
    const auto regular = dir.write("c.toml", "");
    const auto directory = dir.path.string();
    // Not GENERATE: each of its runs would make a new directory.
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"/nonexistent/p.toml", "cannot read the file: No such file or directory"},
        {directory, "is a directory, not a file"},
        {regular + "/x", "cannot read the file: Not a directory"},
        {"/proc/self/mem", "cannot read the file: Input/output error"},  // read() fails
    };
    for (const auto& [path, why] : cases) {
        const auto r = parse({"--config", path});
        CHECK(r.action == Action::exit_error);
        CHECK(r.message == "--config '" + path + "': " + why);
    }
}

// Mode 000 stops everyone but root; as root the parse runs in a child that became nobody.
TEST_CASE("an unreadable file is refused", "[cli][file]") {
    TempDir dir;
    const auto file = dir.write("c.toml", "");
    fs::permissions(file, fs::perms::none);
    const std::string expected = "--config '" + file + "': cannot read the file: Permission denied";
    if (geteuid() != 0) {
        CHECK(parse({"--config", file}).message == expected);
        return;
    }
    const pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        const bool dropped = setgid(65534) == 0 && setuid(65534) == 0;
        _exit(!dropped ? 2 : parse({"--config", file}).message == expected ? 0 : 1);
    }
    int status = 0;
    REQUIRE(waitpid(child, &status, 0) == child);
    REQUIRE(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("a broken file is refused even where a flag overrides its key", "[cli][file]") {
    TempDir dir;
    const auto file = dir.write("c.toml", "root = 5\n");
    const auto r = parse({"--root", dir.path.string(), "--config", file});
    CHECK(r.action == Action::exit_error);
    CHECK(r.message ==
          "--config '" + file + "' line 1, column 8: 'root' must be a string, not an integer");
}

TEST_CASE("checks beyond the type are placed in the file when the file gave the value",
          "[cli][file]") {
    TempDir dir;
    const auto file = dir.write("c.toml",
                                "# a comment\n"
                                "root = \"/nonexistent/polyhttpd\"\n"
                                "model = \"nope\"\n");
    auto r = parse({"--config", file, "--model", "loop"});
    CHECK(r.action == Action::exit_error);
    CHECK(r.message == "--config '" + file +
                           "' line 2, column 8: --root: '/nonexistent/polyhttpd' does not "
                           "exist");
    // The model check comes first; the file's value, its place.
    r = parse({"--config", file});
    CHECK(r.message.rfind("--config '" + file + "' line 3, column 9: unknown model 'nope'", 0) ==
          0);
    // A flag's value has no place in the file.
    r = parse({"--config", file, "--model", "loop", "--root", "/nonexistent/flag"});
    CHECK(r.message == "--root: '/nonexistent/flag' does not exist");
}
