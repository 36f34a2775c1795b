// A static site's features through the real binary, on every model (issue 16), from one
// --config file: compression on the fly, a header rule, an error page, a redirect, CORS, and a
// second virtual host with an SPA fallback.
#include <sys/stat.h>

#include <fstream>

#include "config_runs.hpp"
#include "suite.hpp"

using namespace itest;

namespace {

// Two roots and the configuration that serves them, made once per run.
struct SiteFiles {
    ScratchDir scratch;
    std::string config;
    std::string a_root;  // also given as --root: the suite's own --root would win over the file
    std::string app_js;  // compressible, well above the minimum size
    std::string a_index = "<h1>site a</h1>\n";
    std::string a_404 = "<h1>custom 404</h1>\n";
    std::string b_index = "<h1>site b, a single-page app</h1>\n";

    SiteFiles() {
        const std::string a = a_root = scratch.dir("a", 0755);
        const std::string b = scratch.dir("b", 0755);
        scratch.dir("a/assets", 0755);
        for (int i = 0; i < 800; ++i)
            app_js += "function f" + std::to_string(i) + "() { return 1; }\n";
        write(a + "/index.html", a_index);
        write(a + "/page.html", web_root().page_body);  // what the clean-stop check fetches
        write(a + "/404.html", a_404);
        write(a + "/assets/app.js", app_js);
        write(b + "/index.html", b_index);
        config = scratch.path + "/site.toml";
        write(config, "root = \"" + a + "\"\n" + R"(compress = ["br", "gzip"]
error-pages = { 404 = "/404.html" }

[[headers]]
match = "/assets/**"
set = { "Cache-Control" = "public, max-age=31536000, immutable" }

[[redirect]]
from = "/old"
to = "/assets/app.js"
status = 301

[cors]
origins = ["https://app.example"]
methods = ["GET", "HEAD"]
max-age = "1h"

[[site]]
hosts = ["b.example", "*.b.example"]
root = ")" + b + R"("
fallback = "/index.html"
)");
    }

    static void write(const std::string& path, const std::string& content) {
        std::ofstream out(path, std::ios::binary);
        out << content;
        REQUIRE(out.good());
    }
};

const SiteFiles& site_files() {
    static const SiteFiles files;
    return files;
}

std::string with_host(std::string_view host, std::string_view target) {
    return "GET " + std::string(target) + " HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n";
}

}  // namespace

TEST_CASE("site: compression, headers, error page, redirect, CORS, virtual hosts",
          "[integration][site]") {
    MODEL_UNDER_TEST();
    const SiteFiles& f = site_files();
    const std::vector<std::string> flags = {"--config", f.config, "--root", f.a_root};
    const std::uint16_t port = shared_server(model, flags).port();
    SECTION("a compressible file goes out in the best encoding the client accepts") {
        const HttpResponse br =
            fetch(port, get_request("/assets/app.js", "Accept-Encoding: gzip, br\r\n"));
        CHECK(br.status == 200);
        CHECK(br.get("content-encoding") == "br");
        CHECK(br.has_token("vary", "accept-encoding"));
        CHECK(br.body.size() < f.app_js.size() / 4);
        CHECK(br.get("etag").ends_with("-br\""));
        const HttpResponse gz =
            fetch(port, get_request("/assets/app.js", "Accept-Encoding: gzip;q=1, br;q=0.5\r\n"));
        CHECK(gz.get("content-encoding") == "gzip");
        CHECK(gz.body.substr(0, 2) == "\x1f\x8b");
        const HttpResponse plain = fetch(port, get_request("/assets/app.js"));
        CHECK_FALSE(plain.has("content-encoding"));
        CHECK(plain.has_token("vary", "accept-encoding"));
        CHECK(plain.body == f.app_js);
    }
    SECTION("a Range request gets the file's own bytes") {
        const HttpResponse r = fetch(
            port, get_request("/assets/app.js", "Accept-Encoding: br\r\nRange: bytes=0-9\r\n"));
        CHECK(r.status == 206);
        CHECK_FALSE(r.has("content-encoding"));
        CHECK(r.body == f.app_js.substr(0, 10));
    }
    SECTION("a header rule applies below its path only") {
        CHECK(fetch(port, get_request("/assets/app.js")).get("cache-control") ==
              "public, max-age=31536000, immutable");
        CHECK_FALSE(fetch(port, get_request("/index.html")).has("cache-control"));
    }
    SECTION("a missing file gets the error page with status 404") {
        const HttpResponse r = fetch(port, get_request("/no-such-page"));
        CHECK(r.status == 404);
        CHECK(r.body == f.a_404);
    }
    SECTION("a redirect keeps the query string") {
        const HttpResponse r = fetch(port, get_request("/old?v=2"));
        CHECK(r.status == 301);
        CHECK(r.get("location") == "/assets/app.js?v=2");
    }
    SECTION("CORS: an allowed origin is echoed, another is not, a preflight is answered") {
        const HttpResponse ok =
            fetch(port, get_request("/index.html", "Origin: https://app.example\r\n"));
        CHECK(ok.get("access-control-allow-origin") == "https://app.example");
        CHECK(ok.has_token("vary", "origin"));
        const HttpResponse other =
            fetch(port, get_request("/index.html", "Origin: https://evil.example\r\n"));
        CHECK_FALSE(other.has("access-control-allow-origin"));
        const HttpResponse pre =
            fetch(port, make_request("OPTIONS", "/assets/app.js",
                                     "Origin: https://app.example\r\n"
                                     "Access-Control-Request-Method: GET\r\n"));
        CHECK(pre.status == 204);
        CHECK(pre.get("access-control-allow-origin") == "https://app.example");
        CHECK(pre.get("access-control-max-age") == "3600");
    }
    SECTION("virtual hosts: by name, by wildcard, with port and case, else the default") {
        CHECK(fetch(port, with_host("b.example", "/")).body == f.b_index);
        CHECK(fetch(port, with_host("B.Example:8080", "/")).body == f.b_index);
        const HttpResponse route = fetch(port, with_host("www.b.example", "/settings/profile"));
        CHECK(route.status == 200);  // the single-page app's fallback
        CHECK(route.body == f.b_index);
        CHECK(fetch(port, with_host("unknown.example", "/")).body == f.a_index);
        // Each site serves its own root only: a's error page is no file of b's.
        CHECK(fetch(port, with_host("b.example", "/404.html")).body == f.b_index);
    }
    CLEAN_SHUTDOWN_SECTION(flags)
}
