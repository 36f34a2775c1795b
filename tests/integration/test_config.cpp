// Configuration flags that change what is served (--index, --autoindex, --hidden), for every
// model, on a server of its own. Symlinks out of the root stay refused whatever the flags.
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

}  // namespace

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
