// preflight: the checks --check-config and startup share. The user-dependent ones are tested
// as root with `nobody` (CI runs the tests as root); elsewhere those cases say they were
// skipped. Nothing here binds a port or creates a file.
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <functional>
#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "server/proc/preflight.hpp"
#include "server/proc/privileges.hpp"
#include "unit/http/temp_root.hpp"

namespace {

bool as_root() {
    if (::geteuid() == 0) return true;
    WARN("not root: checks as another user are not exercised");
    return false;
}

// f() in a child that has become `nobody` first; its answer, or "OK" for none.
std::string as_nobody(const std::function<std::optional<std::string>()>& f) {
    std::array<int, 2> fds{};
    REQUIRE(::pipe(fds.data()) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(fds[0]);
        std::string out;
        try {
            server::switch_identity("nobody", "");
            out = f().value_or("OK");
        } catch (const std::exception& e) {
            out = std::string("threw: ") + e.what();
        }
        [[maybe_unused]] const auto n = ::write(fds[1], out.data(), out.size());
        ::_exit(0);
    }
    ::close(fds[1]);
    std::string out;
    std::array<char, 512> buf{};
    for (ssize_t n; (n = ::read(fds[0], buf.data(), buf.size())) > 0;)
        out.append(buf.data(), static_cast<std::size_t>(n));
    ::close(fds[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return out;
}

config::Config site(const test::TempRoot& t) {
    config::Config c;
    c.root = t.root();
    c.listen = {"127.0.0.1:0"};
    c.access_log = "off";
    c.error_log = "-";
    return c;
}

}  // namespace

TEST_CASE("preflight passes a good configuration and creates nothing", "[preflight]") {
    test::TempRoot t;
    config::Config c = site(t);
    c.access_log = t.path("access.log");
    c.error_log = t.path("error.log");
    CHECK(server::preflight(c, false) == std::nullopt);
    struct stat st {};
    CHECK(::stat(c.access_log.c_str(), &st) != 0);
    CHECK(::stat(c.error_log.c_str(), &st) != 0);
}

TEST_CASE("preflight resolves --listen without binding it", "[preflight]") {
    test::TempRoot t;
    config::Config c = site(t);
    c.listen = {"localhost:0"};
    CHECK(server::preflight(c, false) == std::nullopt);
    c.listen = {"192.0.2.1:8080"};  // TEST-NET-1: on no machine
    CHECK(server::preflight(c, false) ==
          "--listen: '192.0.2.1:8080' is not an address of this machine: Cannot assign "
          "requested address");
    c.listen = {"nohost.invalid:8080"};
    const auto err = server::preflight(c, false);
    REQUIRE(err);
    CHECK_THAT(*err, Catch::StartsWith("--listen: cannot resolve 'nohost.invalid:8080': "));
}

TEST_CASE("preflight checks every --listen address, and two naming one address",
          "[preflight][listeners]") {
    test::TempRoot t;
    config::Config c = site(t);
    c.listen = {"127.0.0.1:0", "localhost:0"};
    CHECK(server::preflight(c, false) == std::nullopt);
    c.listen = {"127.0.0.1:0", "192.0.2.1:8080"};  // the second is on no machine
    CHECK(server::preflight(c, false) ==
          "--listen: '192.0.2.1:8080' is not an address of this machine: Cannot assign "
          "requested address");
    // Spelled apart, one address: the second bind would fail at startup.
    c.listen = {"127.0.0.1:18080", "localhost:18080"};
    CHECK(server::preflight(c, false) ==
          "--listen: 'localhost:18080' and '127.0.0.1:18080' both name 127.0.0.1:18080");
}

TEST_CASE("log files: the directory must exist, and be writable by the server's user",
          "[preflight]") {
    test::TempRoot t;
    config::Config c = site(t);
    SECTION("a missing directory") {
        c.access_log = t.path("missing/access.log");
        CHECK(server::check_reachable(c) ==
              "--access-log: directory '" + t.path("missing") + "' does not exist");
    }
    SECTION("a directory where the file should be") {
        c.error_log = t.path("outside");
        CHECK(server::check_reachable(c) ==
              "--error-log: '" + t.path("outside") + "' is a directory");
    }
    SECTION("- and off are no files") {
        c.access_log = "-";
        CHECK(server::check_reachable(c) == std::nullopt);
    }
    SECTION("as --user: a directory it cannot write, a file it cannot append to") {
        if (!as_root()) return;
        c.user = "nobody";
        c.error_log = t.path("outside/error.log");
        CHECK(server::check_as_server_user(c) ==
              "--error-log: '" + c.error_log + "' cannot be created in '" + t.path("outside") +
                  "' by uid 65534 (nobody): Permission denied");
        t.file("outside/error.log", "", 0644);
        CHECK(server::check_as_server_user(c) == "--error-log: '" + c.error_log +
                                                     "' cannot be appended to by uid 65534 "
                                                     "(nobody): Permission denied");
        t.dir("logs", 0777);
        c.error_log = t.path("logs/error.log");
        CHECK(server::check_as_server_user(c) == std::nullopt);
    }
}

TEST_CASE("the root must be readable and searchable by the server's user", "[preflight]") {
    if (!as_root()) return;
    test::TempRoot t;
    config::Config c = site(t);
    c.user = "nobody";
    CHECK(server::preflight(c, false) == std::nullopt);
    t.dir("private", 0700);
    c.root = t.path("private");
    CHECK(server::check_reachable(c) == std::nullopt);  // root itself may
    CHECK(server::preflight(c, false) == "--root: '" + c.root +
                                             "' cannot be read and searched by uid 65534 "
                                             "(nobody): Permission denied");
    t.dir("search-only", 0711);
    c.root = t.path("search-only");
    CHECK_THAT(server::preflight(c, false).value_or(""), Catch::StartsWith("--root: "));
}

TEST_CASE("--user that cannot be switched to is the child's one line", "[preflight]") {
    test::TempRoot t;
    config::Config c = site(t);
    c.user = "polyhttpd-no-such-user";
    CHECK(server::preflight(c, false) == "--user: no such user 'polyhttpd-no-such-user'");
    if (!as_root()) return;
    c.user = "root";
    CHECK(as_nobody([&] { return server::preflight(c, false); }) ==
          "--user/--group: switching identity needs root (running as uid 65534)");
}

TEST_CASE("a privileged port needs CAP_NET_BIND_SERVICE, unless systemd passes the socket",
          "[preflight]") {
    CHECK(server::check_port_privilege(0) == std::nullopt);
    if (!as_root()) return;
    CHECK(server::check_port_privilege(80) == std::nullopt);  // root holds the capability
    test::TempRoot t;
    config::Config c = site(t);
    c.listen = {"127.0.0.1:80"};
    const std::string refused = as_nobody([&] { return server::preflight(c, false); });
    CHECK_THAT(refused, Catch::StartsWith("--listen: port 80 is below "));
    CHECK_THAT(refused, Catch::Contains("uid 65534 (nobody) lacks CAP_NET_BIND_SERVICE"));
    CHECK(as_nobody([&] { return server::preflight(c, true); }) == "OK");
    CHECK(as_nobody([] { return server::check_port_privilege(65535); }) == "OK");
}
