// Configuration flags that change what is served (--index, --autoindex, --hidden), for every
// model, on a server of its own. Symlinks out of the root stay refused whatever the flags.
// The same options from a --config file, at startup and on reload (SIGHUP), where a broken file
// is refused with its one line and the running configuration kept.
#include <csignal>
#include <fstream>
#include <thread>
// Then --check-config against startup (the same preflight) and the shipped defaults.
#include <arpa/inet.h>
#include <grp.h>
#include <netdb.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "config_runs.hpp"
#include "suite.hpp"

using namespace itest;

namespace {

const std::vector<std::string> flags = {"--index", "missing.html,page.html,index.html",
                                        "--autoindex", "--hidden"};

void index_order(std::uint16_t port) {
    const HttpResponse r = fetch(port, get_request("/"));
    CHECK(r.status == 200);
    CHECK(r.body == web_root().page_body);  // the first index name that exists wins
}

void autoindex_lists(std::uint16_t port) {
    const HttpResponse r = fetch(port, get_request("/dir-noindex/"));
    CHECK(r.status == 200);
    CHECK(r.get("Content-Type").rfind("text/html", 0) == 0);
    INFO("listing:\n" << r.body.substr(0, 2000));
    CHECK(r.body.find("file.txt") != std::string::npos);
}

void autoindex_escapes_names(std::uint16_t port) {
    const HttpResponse r = fetch(port, get_request("/dir-noindex/"));
    CHECK(r.status == 200);
    INFO("listing:\n" << r.body.substr(0, 2000));
    // The web root has a file named "<i>x&y.txt" there: markup in a name must be escaped.
    CHECK(r.body.find("<i>x") == std::string::npos);
    CHECK(r.body.find("x&y") == std::string::npos);
}

void hidden_served(std::uint16_t port) {
    const HttpResponse r = fetch(port, get_request("/.hidden"));
    CHECK(r.status == 200);
    CHECK(r.body == "hidden root:x:0:0\n");
}

void symlinks_still_refused(std::uint16_t port) {
    RawClient c(port);
    for (const char* target : {"/passwd-link", "/outside-link", "/../secret.txt"}) {
        INFO("target: " << target);
        const HttpResponse r = roundtrip(c, get_request(target));
        CHECK((r.status == 400 || r.status == 403 || r.status == 404));
        CHECK(r.body.find("root:x:0:0") == std::string::npos);
        if (r.has_token("Connection", "close")) break;
    }
}

// The config file of this run for `model` (under the web root's base, removed with it).
std::string write_config(const std::string& model, const std::string& text) {
    const std::string path = web_root().base() + "/config-" + model + ".toml";
    std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
    return path;
}

// The status of GET path, polled up to 3 s until it is `want` (prefork replaces its workers
// after a reload; the other models apply it to the next connection).
int eventually_status(std::uint16_t port, const std::string& path, int want) {
    int status = 0;
    for (int i = 0; i < 30 && status != want; ++i) {
        if (i > 0) std::this_thread::sleep_for(100ms);
        status = fetch(port, get_request(path)).status;
    }
    return status;
}

}  // namespace

TEST_CASE("configuration: the --config file at startup and on reload", "[integration][config]") {
    MODEL_UNDER_TEST();
    const std::string good =
        "index = [\"missing.html\", \"page.html\", \"index.html\"]\n"
        "hidden = true\n";
    const std::string file = write_config(model, good);
    std::vector<std::string> flags = standard_flags();
    flags.insert(flags.end(), {"--config", file});
    ServerProcess server(model, web_root().path(), flags);
    index_order(server.port());
    hidden_served(server.port());

    // A broken file: refused with its one line, and the running configuration kept.
    write_config(model, "hidden = yes\n");
    CHECK(reload(server, "reload failed, keeping the running configuration: --config '" + file +
                             "' line 1, column 10: not a TOML value"));
    hidden_served(server.port());

    // A good one is applied: the same reader at startup and on reload.
    write_config(model, good + "hidden = false\n");  // a duplicate key: still refused
    CHECK(reload(server, "line 3, column 1: duplicate key ('hidden')"));
    // A file that parses but names a log no reopen could create: the startup check refuses it.
    const std::string missing_dir = web_root().base() + "/no-such-dir";
    write_config(model, "error-log = \"" + missing_dir + "/error.log\"\n");
    CHECK(reload(server,
                 "reload failed, keeping the running configuration: --error-log: "
                 "directory '" +
                     missing_dir + "' does not exist"));
    write_config(model, "hidden = false\n");
    CHECK(reload(server, "configuration reloaded"));
    CHECK(eventually_status(server.port(), "/.hidden", 404) == 404);
    check_exit(server.stop(stop_grace), server);
}

TEST_CASE("configuration: a broken --config file stops the start with one line",
          "[integration][config]") {
    MODEL_UNDER_TEST();
    const std::string file = write_config(model, "root = \"/srv/www\n");
    std::vector<std::string> flags = standard_flags();
    flags.insert(flags.end(), {"--config", file});
    CHECK_THROWS_WITH(
        ServerProcess(model, web_root().path(), flags),
        Catch::Contains("--config '" + file + "' line 1, column 8: unclosed string ('root')"));
}

TEST_CASE("configuration: --index, --autoindex, --hidden", "[integration][config]") {
    MODEL_UNDER_TEST();
    const std::uint16_t port = shared_server(model, flags).port();

    SECTION("--index: the first existing name is served for a directory") { index_order(port); }
    SECTION("--autoindex lists a directory without an index") { autoindex_lists(port); }
    SECTION("--autoindex escapes markup in file names") { autoindex_escapes_names(port); }
    SECTION("--hidden serves dotfiles") { hidden_served(port); }
    SECTION("symlinks out of the root stay refused with --hidden") { symlinks_still_refused(port); }
    CLEAN_SHUTDOWN_SECTION(flags)
}

// ---- --check-config and startup: the same preflight, the same one line, status 2 ----

namespace {

std::string first_address_of_localhost() {
    addrinfo hints{};
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* list = nullptr;
    if (::getaddrinfo("localhost", "80", &hints, &list) != 0) return {};
    char host[INET6_ADDRSTRLEN] = "";
    if (list->ai_family == AF_INET)
        ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(list->ai_addr)->sin_addr, host,
                    sizeof host);
    ::freeaddrinfo(list);
    return host;
}

}  // namespace

TEST_CASE("--check-config refuses what startup refuses: one line, status 2",
          "[integration][config][check-config]") {
    ScratchDir d;
    const std::string www = d.dir("www", 0755);
    const std::vector<std::string> base = {"--listen", "127.0.0.1:0", "--root", www};
    auto with = [&](std::vector<std::string> more) {
        more.insert(more.begin(), base.begin(), base.end());
        return more;
    };
    SECTION("a good configuration, and a host name in --listen") {
        for (const char* listen : {"127.0.0.1:0", "localhost:8080"}) {
            const Run r = run_polyhttpd(with({"--listen", listen, "--check-config"}));
            INFO("output: " << r.output);
            CHECK(r.status == 0);
            CHECK(r.output == "configuration OK\n");
        }
    }
    SECTION("an address that is not this machine's") {
        both_refuse(with({"--listen", "192.0.2.1:8080"}),
                    "--listen: '192.0.2.1:8080' is not an address of this machine: Cannot "
                    "assign requested address");
    }
    SECTION("a name that does not resolve") {
        const Run r = run_polyhttpd(with({"--listen", "nohost.invalid:8080", "--check-config"}));
        CHECK(r.status == 2);
        CHECK(r.output.rfind("polyhttpd: --listen: cannot resolve 'nohost.invalid:8080': ", 0) ==
              0);
        CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
    }
    SECTION("an access or error log in a directory that does not exist") {
        both_refuse(with({"--access-log", d.path + "/none/access.log"}),
                    "--access-log: directory '" + d.path + "/none' does not exist");
        both_refuse(with({"--error-log", d.path + "/none/error.log"}),
                    "--error-log: directory '" + d.path + "/none' does not exist");
    }
    SECTION("a root the --user cannot read: refused at startup too, not 403 for everything") {
        if (!running_as_root()) return;
        const std::string priv = d.dir("private", 0700);
        both_refuse(with({"--root", priv, "--user", "nobody"}),
                    "--root: '" + priv +
                        "' cannot be read and searched by uid 65534 (nobody): Permission denied");
    }
    SECTION("a port below 1024 for a user without CAP_NET_BIND_SERVICE") {
        if (!running_as_root()) return;
        both_refuse(with({"--listen", "127.0.0.1:80"}),
                    "--listen: port 80 is below 1024 (net.ipv4.ip_unprivileged_port_start) and "
                    "uid 65534 (nobody) lacks CAP_NET_BIND_SERVICE (start as root, grant the "
                    "capability, or let systemd pass the socket)",
                    true);
    }
    SECTION("--root / is refused, and served with --allow-system-root") {
        both_refuse(with({"--root", "/"}),
                    "--root: '/' is a system directory; serving it would publish the machine's "
                    "own files (--allow-system-root if meant)");
        const Run r = run_polyhttpd(with({"--root", "/", "--allow-system-root", "--check-config"}));
        CHECK(r.status == 0);
        CHECK(r.output == "configuration OK\n");
    }
    SECTION("a relative root where a service starts (/) names what it resolved to") {
        const Run r = run_polyhttpd({"--root", ".", "--check-config"}, false, "/");
        CHECK(r.status == 2);
        CHECK(r.output.find("--root: '.' resolves to '/', a system directory") !=
              std::string::npos);
    }
}

TEST_CASE("--listen localhost:PORT passes the check and is served", "[integration][config]") {
    MODEL_UNDER_TEST();
    if (first_address_of_localhost() != "127.0.0.1") {
        WARN("localhost resolves to IPv6 first here; the suite's client speaks IPv4 only");
        return;
    }
    const std::vector<std::string> flags = {"--listen", "localhost:0"};
    ServerProcess& server = shared_server(model, flags);
    const HttpResponse r = fetch(server.port(), get_request("/"));
    CHECK(r.status == 200);
    CHECK(server.output().find("root " + std::filesystem::canonical(web_root().path()).string() +
                               ")") != std::string::npos);
    CLEAN_SHUTDOWN_SECTION(flags)
}

TEST_CASE("the shipped config cannot serve /etc/passwd", "[integration][config][check-config]") {
    MODEL_UNDER_TEST();
    const std::string shipped = std::string(POLYHTTPD_SOURCE_DIR) + "/config/polyhttpd.toml";
    // Started the way the unit starts it: from /, with nothing but the file.
    const Run check = run_polyhttpd({"--config", shipped, "--check-config"}, false, "/");
    INFO("output: " << check.output);
    if (!std::filesystem::is_directory("/srv/www")) {
        CHECK(check.status == 2);
        CHECK(check.output.find("'/srv/www' does not exist\n") != std::string::npos);
        return;
    }
    CHECK(check.status == 0);
    const std::vector<std::string> flags = {"--config", shipped, "--root", "/srv/www"};
    ServerProcess server(model, "/srv/www", flags);
    for (const char* target : {"/etc/passwd", "/../../etc/passwd", "/%2e%2e/etc/passwd"}) {
        const HttpResponse r = fetch(server.port(), get_request(target));
        CHECK(r.status != 200);
        CHECK(r.body.find("root:x:0:0") == std::string::npos);
    }
    check_exit(server.stop(stop_grace), server);
}
