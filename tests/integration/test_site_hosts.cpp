// Virtual hosts through the real binary on every model (issue 16): each per-site key taking
// effect for its site only, Host matched without case, port and trailing dot, strict hosts
// answering 421, hostile Host values, and SIGHUP reloading the site tables, where a broken
// table keeps the running configuration and the log says which.
#include <fstream>
#include <thread>

#include "config_runs.hpp"
#include "suite.hpp"
#include "unit/http/compress/decode.hpp"

using namespace itest;

namespace {

void write(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    REQUIRE(out.good());
}

std::string script(std::string_view who) {
    std::string s;
    for (int i = 0; i < 200; ++i) s += "var " + std::string(who) + std::to_string(i) + " = 1;\n";
    return s;
}

// Two roots with the same names and different contents, and a site b that sets every
// per-site key to something other than the top level's (the default site a).
struct HostFiles {
    ScratchDir scratch;
    std::string a = scratch.dir("a", 0755);
    std::string b = scratch.dir("b", 0755);
    std::string config = scratch.path + "/hosts.toml";
    std::string site_b = R"([[site]]
hosts = ["b.example", "*.b.example"]
root = "@B@"
index = ["home.html"]
autoindex = true
hidden = true
compress = ["br"]
error-pages = { 404 = "/b404.html" }
fallback = "/home.html"
fallback-only-html = true
[[site.headers]]
match = "/**"
set = { X-Site = "b" }
[[site.redirect]]
from = "/go"
to = "/b-target"
)";

    HostFiles() {
        for (const std::string& root : {a, b}) {
            const std::string who = root == a ? "a" : "b";
            scratch.dir(root.substr(scratch.path.size() + 1) + "/list", 0755);
            write(root + "/index.html", "index " + who + "\n");
            write(root + "/home.html", "home " + who + "\n");
            write(root + "/.dot", "dot " + who + "\n");
            write(root + "/list/file.txt", who);
            write(root + "/app.js", script(who));
        }
        write(a + "/404.html", "a404\n");
        write(a + "/page.html", web_root().page_body);  // what the clean-stop check fetches
        write(b + "/b404.html", "b404\n");
        config_with(site_b);
    }
    // The configuration with `sites` after the default site's keys.
    void config_with(std::string sites) const {
        sites.replace(sites.find("@B@"), 3, b);
        write(config, "root = \"" + a + "\"\n" + R"(compress = ["gzip"]
error-pages = { 404 = "/404.html" }
[[headers]]
match = "/**"
set = { X-Site = "a" }
[[redirect]]
from = "/go"
to = "/a-target"

)" + sites);
    }
};

const HostFiles& host_files() {
    static const HostFiles files;
    return files;
}

HttpResponse at(std::uint16_t port, std::string_view host, std::string_view target,
                std::string_view extra = "") {
    return fetch(port, "GET " + std::string(target) + " HTTP/1.1\r\nHost: " + std::string(host) +
                           "\r\n" + std::string(extra) + "\r\n");
}

}  // namespace

TEST_CASE("site hosts: every per-site key takes effect for its site only", "[integration][site]") {
    MODEL_UNDER_TEST();
    const HostFiles& f = host_files();
    const std::vector<std::string> flags = {"--config", f.config, "--root", f.a};
    const std::uint16_t port = shared_server(model, flags).port();
    SECTION("root and index") {
        CHECK(at(port, "a.example", "/").body == "index a\n");
        CHECK(at(port, "b.example", "/").body == "home b\n");
        CHECK(at(port, "b.example", "/index.html").body == "index b\n");
    }
    SECTION("autoindex and hidden") {
        CHECK(at(port, "a.example", "/list/").status == 403);
        const HttpResponse listing = at(port, "b.example", "/list/");
        CHECK(listing.status == 200);
        CHECK(listing.body.find("file.txt") != std::string::npos);
        CHECK(at(port, "a.example", "/.dot").status == 404);
        CHECK(at(port, "b.example", "/.dot").body == "dot b\n");
    }
    SECTION("headers, error pages, fallback and redirects") {
        CHECK(at(port, "a.example", "/app.js").get("x-site") == "a");
        CHECK(at(port, "b.example", "/app.js").get("x-site") == "b");
        const HttpResponse a404 = at(port, "a.example", "/missing.png");
        CHECK(a404.status == 404);
        CHECK(a404.body == "a404\n");
        const HttpResponse b404 = at(port, "b.example", "/missing.png");
        CHECK(b404.status == 404);
        CHECK(b404.body == "b404\n");
        CHECK(at(port, "a.example", "/route").status == 404);  // no fallback on a
        const HttpResponse route = at(port, "b.example", "/route");
        CHECK(route.status == 200);
        CHECK(route.body == "home b\n");
        CHECK(at(port, "a.example", "/go").get("location") == "/a-target");
        CHECK(at(port, "b.example", "/go").get("location") == "/b-target");
    }
    SECTION("compression") {
        const std::string ae = "Accept-Encoding: gzip, br\r\n";
        const HttpResponse a = at(port, "a.example", "/app.js", ae);
        CHECK(a.get("content-encoding") == "gzip");
        CHECK(test::decode(http::Coding::gzip, a.body) == script("a"));
        const HttpResponse b = at(port, "b.example", "/app.js", ae);
        CHECK(b.get("content-encoding") == "br");
        CHECK(test::decode(http::Coding::br, b.body) == script("b"));
    }
    SECTION("Host without case, port and trailing dot; wildcards; the default site") {
        for (const char* host : {"B.EXAMPLE", "b.example:8080", "b.example.", "B.Example.:80",
                                 "www.b.example", "x.y.B.example."}) {
            INFO("Host: " << host);
            CHECK(at(port, host, "/").body == "home b\n");
        }
        for (const char* host : {"unknown.example", "b.example.evil", "xb.example", "..b.example",
                                 "a..b.example", "..", "127.0.0.1"}) {
            INFO("Host: " << host);
            CHECK(at(port, host, "/").body == "index a\n");
        }
    }
    SECTION("hostile Host values: 400 or 431, or the default site, never b's files") {
        struct Case {
            std::string host_lines;
            int status;
        };
        const Case cases[] = {
            {"Host: a/b.example\r\n", 400},
            {"Host: ../b.example\r\n", 400},
            {std::string("Host: b.example\0x\r\n", 19), 400},
            {"Host: b.example\r\nHost: b.example\r\n", 400},  // RFC 9112 3.2: several: 400
            {"Host: a.example\r\nHost: b.example\r\n", 400},
            {"Host: " + std::string(64 * 1024, 'b') + ".example\r\n", 431},
            {"Host: user@b.example\r\n", 400},
        };
        for (const Case& c : cases) {
            INFO("Host lines: " << c.host_lines.substr(0, 80));
            const HttpResponse r =
                fetch(port, "GET /home.html HTTP/1.1\r\n" + c.host_lines + "\r\n");
            CHECK(r.status == c.status);
            CHECK(r.body.find("home b") == std::string::npos);
        }
    }
    CLEAN_SHUTDOWN_SECTION(flags)
}

// A server of its own: the suite's clean-stop check asks with Host: test, which gets 421 here.
TEST_CASE("site hosts: strict hosts answer an unknown Host 421", "[integration][site]") {
    MODEL_UNDER_TEST();
    const HostFiles& f = host_files();
    std::vector<std::string> flags = standard_flags();
    flags.insert(flags.end(), {"--config", f.config, "--strict-hosts"});
    ServerProcess server(model, f.a, flags);
    const std::uint16_t port = server.port();
    CHECK(at(port, "b.example.:8080", "/").body == "home b\n");
    for (const char* host : {"unknown.example", "..b.example", "a.example", "localhost"}) {
        INFO("Host: " << host);
        const HttpResponse r = at(port, host, "/");
        CHECK(r.status == 421);
        CHECK(r.body.find("index a") == std::string::npos);
    }
    // HTTP/1.0 without Host: the default site, as the table says.
    CHECK(fetch(port, "GET / HTTP/1.0\r\n\r\n").body == "index a\n");
    check_exit(server.stop(stop_grace), server);
}

TEST_CASE("site hosts: SIGHUP reloads the site tables; a broken one is refused and named",
          "[integration][site][reload]") {
    MODEL_UNDER_TEST();
    // A configuration of its own: this case rewrites it.
    HostFiles f;
    std::vector<std::string> flags = standard_flags();
    flags.insert(flags.end(), {"--config", f.config});
    ServerProcess server(model, f.a, flags);
    const std::uint16_t port = server.port();
    REQUIRE(at(port, "b.example", "/app.js").get("x-site") == "b");

    // A header polyhttpd owns, in the site's table: refused, with file, line and key.
    f.config_with(f.site_b + "[[site.headers]]\nmatch = \"/\"\nset = { Content-Length = \"0\" }\n");
    CHECK(reload(server, "reload failed, keeping the running configuration: --config '" + f.config +
                             "' line 29, column 9: 'site[1].headers[2].set.Content-Length': "
                             "'Content-Length' is set by polyhttpd itself"));
    // A site whose root is gone: refused, naming the site.
    std::string moved = f.site_b;
    moved.replace(moved.find("@B@"), 3, "@B@/none");
    f.config_with(moved);
    CHECK(reload(server, "reload failed, keeping the running configuration: --config '" + f.config +
                             "' line 13, column 8: 'site[1].root': '" + f.b +
                             "/none' does not exist"));
    CHECK(at(port, "b.example", "/app.js").get("x-site") == "b");
    CHECK(at(port, "b.example", "/").body == "home b\n");

    // A good one is applied: b's header changes, and c.example becomes a site of b's root.
    std::string next = f.site_b;
    next.replace(next.find("X-Site = \"b\""), 12, "X-Site = \"b2\"");
    next.replace(next.find("\"*.b.example\""), 13, "\"*.b.example\", \"c.example\"");
    f.config_with(next);
    CHECK(reload(server, "configuration reloaded"));
    std::string got;
    for (int i = 0; i < 30 && got != "b2"; ++i) {  // prefork replaces its workers
        if (i > 0) std::this_thread::sleep_for(100ms);
        got = at(port, "c.example", "/app.js").get("x-site");
    }
    CHECK(got == "b2");
    CHECK(at(port, "b.example", "/").body == "home b\n");
    check_exit(server.stop(stop_grace), server);
}

TEST_CASE("site hosts: the access log records the site", "[integration][site]") {
    MODEL_UNDER_TEST();
    const HostFiles& f = host_files();
    ScratchDir logs;
    const std::string log = logs.path + "/access.log";
    std::vector<std::string> flags = standard_flags();
    flags.insert(flags.end(),
                 {"--config", f.config, "--access-log", log, "--access-log-format", "json"});
    ServerProcess server(model, f.a, flags);
    CHECK(at(server.port(), "www.b.example", "/home.html?b").status == 200);
    CHECK(at(server.port(), "elsewhere.example", "/home.html?a").status == 200);
    // Each line is one write(2) once its response is done: wait for both (up to 3 s).
    std::string text;
    for (int i = 0; i < 30; ++i) {
        if (i > 0) std::this_thread::sleep_for(100ms);
        std::ifstream in(log);
        text.assign(std::istreambuf_iterator<char>(in), {});
        if (text.find("home.html?a") != std::string::npos &&
            text.find("home.html?b") != std::string::npos)
            break;  // both: with a thread per connection their lines may come in either order
    }
    INFO("access log:\n" << text);
    const auto line_of = [&](std::string_view target) {
        const std::size_t at_target = text.find(target);
        if (at_target == std::string::npos) return std::string();
        const std::size_t start = text.rfind('\n', at_target) + 1;  // npos + 1 == 0
        return text.substr(start, text.find('\n', at_target) - start);
    };
    CHECK(line_of("/home.html?b").find("\"site\":\"b.example\"") != std::string::npos);
    CHECK(line_of("/home.html?a").find("\"site\":\"default\"") != std::string::npos);
    check_exit(server.stop(stop_grace), server);
}

// RFC 9112 3.2.2: with an absolute-form target the server MUST ignore Host and use the target's
// authority (nginx does): the parser puts that authority in Request::host.
TEST_CASE("site hosts: an absolute-form target names the site, not Host", "[integration][site]") {
    MODEL_UNDER_TEST();
    const HostFiles& f = host_files();
    const std::vector<std::string> flags = {"--config", f.config, "--root", f.a};
    const std::uint16_t port = shared_server(model, flags).port();
    CHECK(fetch(port, "GET http://b.example/ HTTP/1.1\r\nHost: a.example\r\n\r\n").body ==
          "home b\n");
}
