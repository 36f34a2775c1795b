// validate(), parse_listen() and resolve_workers(): the checks CLI11 cannot do.
#include <filesystem>
#include <thread>

#include <catch2/catch.hpp>

#include "config/config.hpp"

using config::Config;
using config::parse_listen;
using config::validate;
using namespace std::chrono_literals;

TEST_CASE("the defaults are valid", "[validate]") { CHECK_FALSE(validate(Config{}).has_value()); }

TEST_CASE("parse_listen accepts the documented forms", "[validate][listen]") {
    SECTION("host:port") {
        const auto a = parse_listen("127.0.0.1:8080");
        REQUIRE(a);
        CHECK(a->host == "127.0.0.1");
        CHECK(a->port == 8080);
        CHECK_FALSE(a->v6);
    }
    SECTION("a host name") {
        const auto a = parse_listen("localhost:80");
        REQUIRE(a);
        CHECK(a->host == "localhost");
        CHECK(a->port == 80);
    }
    SECTION(":port means every IPv4 interface") {
        const auto a = parse_listen(":9000");
        REQUIRE(a);
        CHECK(a->host == "0.0.0.0");
        CHECK(a->port == 9000);
        CHECK_FALSE(a->v6);
    }
    SECTION("*:port is the same wildcard") {
        const auto a = parse_listen("*:1");
        REQUIRE(a);
        CHECK(a->host == "0.0.0.0");
    }
    SECTION("[v6]:port, brackets stripped") {
        const auto a = parse_listen("[::1]:443");
        REQUIRE(a);
        CHECK(a->host == "::1");
        CHECK(a->port == 443);
        CHECK(a->v6);
        const auto any = parse_listen("[::]:0");
        REQUIRE(any);
        CHECK(any->host == "::");
    }
    SECTION("port 0 (ephemeral) and 65535") {
        CHECK(parse_listen("127.0.0.1:0")->port == 0);
        CHECK(parse_listen("127.0.0.1:65535")->port == 65535);
    }
}

TEST_CASE("parse_listen rejects malformed addresses", "[validate][listen]") {
    const char* bad =
        GENERATE("", "8080", "127.0.0.1", "127.0.0.1:", "127.0.0.1:65536", "127.0.0.1:-1",
                 "127.0.0.1:80x", "127.0.0.1:+80", "::1:80", "[::1]", "[::1]80", "[]:80",
                 "[nothost]:80", "[::1:80", "300.1.1.1:80", "a b:80", "host/x:80", "127.0.0.1: 80");
    CAPTURE(bad);
    CHECK_FALSE(parse_listen(bad).has_value());
}

TEST_CASE("validate names the first bad field", "[validate]") {
    Config c;
    SECTION("listen") {
        c.listen = {"[::1]"};
        CHECK(validate(c) ==
              "--listen: invalid address '[::1]' (use host:port, [ipv6]:port or "
              ":port, port 0-65535)");
    }
    SECTION("root missing") {
        c.root = "/nonexistent/polyhttpd-root";
        CHECK(validate(c) == "--root: '/nonexistent/polyhttpd-root' does not exist");
    }
    SECTION("root not a directory") {
        c.root = "/dev/null";
        CHECK(validate(c) == "--root: '/dev/null' is not a directory");
    }
    SECTION("log level") {
        c.log_level = "INFO";  // names are case-sensitive, as spdlog's are
        CHECK(validate(c) ==
              "--log-level: unknown level 'INFO' (use trace, debug, info, warn, "
              "error, critical or off)");
    }
    SECTION("every log level name is accepted") {
        for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
            c.log_level = level;
            CHECK_FALSE(validate(c).has_value());
        }
    }
    SECTION("index names are plain file names") {
        for (const char* name : {"", ".", "..", "a/b"}) {
            c.index = {"index.html", name};
            CHECK(validate(c) == "--index: invalid file name '" + std::string(name) +
                                     "' (a plain name like index.html)");
        }
    }
}

TEST_CASE("validate checks limits at their boundaries", "[validate]") {
    Config c;
    SECTION("workers: 0 (auto) and 1024 pass, 1025 fails") {
        c.workers = 0;
        CHECK_FALSE(validate(c).has_value());
        c.workers = 1024;
        CHECK_FALSE(validate(c).has_value());
        c.workers = 1025;
        CHECK(validate(c) == "--workers: 1025 is above the maximum of 1024");
    }
    SECTION("max_connections >= 1") {
        c.max_connections = 0;
        CHECK(validate(c) == "--max-connections: must be at least 1");
    }
    SECTION("max_head_size in [1 KiB, 1 MiB]") {
        c.max_target_size = 256;
        c.max_head_size = 1024;
        CHECK_FALSE(validate(c).has_value());
        c.max_head_size = 1024 * 1024;
        CHECK_FALSE(validate(c).has_value());
        c.max_head_size = 1023;
        CHECK(validate(c) == "--max-head-size: 1023 is outside 1k..1M bytes");
        c.max_head_size = 1024 * 1024 + 1;
        CHECK(validate(c) == "--max-head-size: 1048577 is outside 1k..1M bytes");
    }
    SECTION("max_target_size in [256, max_head_size]") {
        c.max_target_size = 255;
        CHECK(validate(c) == "--max-target-size: 255 is outside 256..max-head-size (16384) bytes");
        c.max_target_size = c.max_head_size;
        CHECK_FALSE(validate(c).has_value());
        c.max_target_size = c.max_head_size + 1;
        CHECK(validate(c) ==
              "--max-target-size: 16385 is outside 256..max-head-size (16384) bytes");
    }
    SECTION("every timeout must be positive") {
        c.header_timeout = 0ms;
        CHECK(validate(c) == "--header-timeout: must be greater than zero");
        c = Config{};
        c.keepalive_timeout = 0ms;
        CHECK(validate(c) == "--keepalive-timeout: must be greater than zero");
        c = Config{};
        c.send_timeout = -1ms;
        CHECK(validate(c) == "--send-timeout: must be greater than zero");
        c = Config{};
        c.shutdown_timeout = 0ms;
        CHECK(validate(c) == "--shutdown-timeout: must be greater than zero");
        c.shutdown_timeout = 1ms;
        CHECK_FALSE(validate(c).has_value());
    }
}

TEST_CASE("validate is pure: auto workers stay 0 until resolve_workers", "[validate]") {
    Config c;
    c.workers = 0;
    REQUIRE_FALSE(validate(c).has_value());
    CHECK(c.workers == 0);
    const unsigned cores = std::max(1u, std::thread::hardware_concurrency());
    CHECK(config::resolve_workers(0, 8) == cores);
    CHECK(config::resolve_workers(3, 8) == 3);
}

TEST_CASE("resolve_workers: not given is the model's default; an explicit 1 is 1", "[validate]") {
    CHECK(Config{}.workers == config::workers_unset);
    CHECK(config::resolve_workers(config::workers_unset, 8) == 8);  // prefork's pool
    CHECK(config::resolve_workers(config::workers_unset, 1) == 1);  // one event loop
    CHECK(config::resolve_workers(1, 8) == 1);
}

TEST_CASE("system_directory names / and the system's directories", "[validate][root]") {
    using config::system_directory;
    for (const char* dir :
         {"/", "/etc", "/usr", "/var", "/bin", "/sbin", "/lib", "/lib64", "/libx32", "/boot",
          "/proc", "/sys", "/dev", "/run", "/root", "/home", "/tmp", "/opt"}) {
        CAPTURE(dir);
        CHECK(system_directory(dir) == dir);
    }
    // Everything beneath the kernel's and the system's own trees, named by the tree.
    CHECK(system_directory("/etc/ssl/private") == "/etc");
    CHECK(system_directory("/proc/self") == "/proc");
    CHECK(system_directory("/sys/kernel") == "/sys");
    CHECK(system_directory("/dev/shm") == "/dev");
    CHECK(system_directory("/run/credentials") == "/run");
    // Sites live below the others; near-miss names are not the directories they resemble.
    for (const char* dir : {"/srv/www", "/var/www", "/usr/share/doc", "/home/alice/site",
                            "/tmp/site", "/srv", "/etcetera", "/lib64/x", "/devel", "/opt/app"}) {
        CAPTURE(dir);
        CHECK(system_directory(dir).empty());
    }
}

TEST_CASE("a root that resolves to a system directory is refused unless allowed",
          "[validate][root]") {
    namespace fs = std::filesystem;
    Config c;
    SECTION("/ itself") {
        c.root = "/";
        CHECK(validate(c) ==
              "--root: '/' is a system directory; serving it would publish the machine's own "
              "files (--allow-system-root if meant)");
    }
    SECTION("a path inside /etc") {
        c.root = "/etc/ssl/";
        CHECK(validate(c) ==
              "--root: '/etc/ssl/' resolves to '/etc/ssl', inside the system directory /etc; "
              "serving it would publish the machine's own files (--allow-system-root if meant)");
    }
    SECTION("a relative root names the path it resolved to") {
        const fs::path here = fs::current_path();
        fs::current_path("/");
        c.root = ".";
        const auto err = validate(c);
        fs::current_path(here);
        CHECK(err ==
              "--root: '.' resolves to '/', a system directory; serving it would publish the "
              "machine's own files (--allow-system-root if meant)");
    }
    SECTION("a symlink into /usr is followed") {
        const fs::path link = fs::temp_directory_path() / "polyhttpd-validate-usr-link";
        fs::remove(link);
        fs::create_directory_symlink("/usr", link);
        c.root = link.string();
        const auto err = validate(c);
        fs::remove(link);
        REQUIRE(err);
        CHECK_THAT(*err, Catch::Contains("resolves to '/usr', a system directory"));
    }
    SECTION("--allow-system-root says it is meant") {
        c.root = "/";
        c.allow_system_root = true;
        CHECK_FALSE(validate(c).has_value());
        c.root = "/etc";
        CHECK_FALSE(validate(c).has_value());
    }
}
