// Configuration flags that change what is served (--index, --autoindex, --hidden), for every
// model, on a server of its own. Symlinks out of the root stay refused whatever the flags.
// The same options from a --config file, at startup and on reload (SIGHUP), where a broken file
// is refused with its one line and the running configuration kept.
#include <csignal>
#include <fstream>
#include <thread>

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

// Sends SIGHUP and waits (up to 10 s) for `expect` in what the server logs after it.
bool reload(ServerProcess& server, const std::string& expect) {
    const std::size_t from = server.output().size();
    server.send_signal(SIGHUP);
    for (int i = 0; i < 100; ++i) {
        if (server.output().find(expect, from) != std::string::npos) return true;
        std::this_thread::sleep_for(100ms);
    }
    UNSCOPED_INFO(server.output_tail());
    return false;
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
