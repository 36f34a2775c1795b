// The README's nginx migration, kept true (issue 16): docs/examples/site.toml serving
// docs/examples/site/, through the real binary on every model, one check per row of the
// README's "Moving from nginx" table. A change to the example, its web root or the behaviour
// the table describes fails here before the README goes stale.
//
// The server is the suite's (its --listen and --root flags win over the file's): the [[site]]
// sets no root, so it serves the --root given here, the example's web root in the source tree,
// which is only read. No CLEAN_SHUTDOWN_SECTION: its check fetches /page.html with the suite's
// "Host: test", which the example's strict-hosts answers 421, as it should.
#include <zlib.h>

#include <fstream>
#include <iterator>

#include "config_runs.hpp"
#include "suite.hpp"

using namespace itest;

namespace {

const std::string example_dir = std::string(POLYHTTPD_SOURCE_DIR) + "/docs/examples";
const std::string example_config = example_dir + "/site.toml";
const std::string example_root = example_dir + "/site";

std::string file_text(const std::string& rel) {
    std::ifstream in(example_root + rel, std::ios::binary);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::string request(std::string_view host_name, std::string_view target,
                    std::string_view extra_headers = "") {
    return "GET " + std::string(target) + " HTTP/1.1\r\nHost: " + std::string(host_name) + "\r\n" +
           std::string(extra_headers) + "\r\n";
}

// A gzip body inflated; "" when it is not one whole gzip stream.
std::string gunzip(const std::string& body) {
    z_stream z{};
    if (inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) return {};
    std::string out(64 * 1024, '\0');
    z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(body.data()));
    z.avail_in = static_cast<uInt>(body.size());
    z.next_out = reinterpret_cast<Bytef*>(out.data());
    z.avail_out = static_cast<uInt>(out.size());
    const int rc = inflate(&z, Z_FINISH);
    out.resize(z.total_out);
    inflateEnd(&z);
    return rc == Z_STREAM_END && z.avail_in == 0 ? out : std::string();
}

// The suite's server for `model` with the example's file; the --root flag reaches the
// [[site]], which sets none.
std::uint16_t example_server(const std::string& model) {
    return shared_server(model, {"--config", example_config, "--root", example_root}).port();
}

constexpr std::string_view example_host = "example.com";
constexpr std::string_view gzip_ok = "Accept-Encoding: gzip, deflate, br\r\n";
constexpr std::string_view year = "public, max-age=31536000, immutable";

}  // namespace

TEST_CASE("the example as shipped passes --check-config from the repository's top",
          "[integration][site][example]") {
    // The README says to run it from there: its root is relative to the working directory.
    const Run run =
        run_polyhttpd({"--config", example_config, "--check-config"}, false, POLYHTTPD_SOURCE_DIR);
    INFO(run.output);
    CHECK(run.status == 0);
}

TEST_CASE("site example: host names, gzip and caching rows", "[integration][site][example]") {
    MODEL_UNDER_TEST();
    const std::uint16_t port = example_server(model);
    const std::string index = file_text("/index.html");
    const std::string app_js = file_text("/assets/app.js");

    SECTION("server_name: both names get the site, in any case and with a port") {
        for (const std::string_view name :
             {"example.com", "www.example.com", "WWW.Example.com:8080"}) {
            INFO("Host: " << name);
            const HttpResponse r = fetch(port, request(name, "/"));
            CHECK(r.status == 200);
            CHECK(r.body == index);
        }
    }
    SECTION("another name gets 421 (strict-hosts; nginx serves its only block)") {
        CHECK(fetch(port, request("other.example", "/")).status == 421);
    }
    SECTION("no Host at all (HTTP/1.0) gets the top level's site: the same root") {
        const HttpResponse r = fetch(port, "GET / HTTP/1.0\r\n\r\n");
        CHECK(r.status == 200);
        CHECK(r.body == index);
    }
    SECTION(
        "gzip on: an asset goes out gzipped, with Vary, its own strong ETag and Cache-Control") {
        const HttpResponse gz = fetch(port, request(example_host, "/assets/app.js", gzip_ok));
        CHECK(gz.status == 200);
        CHECK(gz.get("content-encoding") == "gzip");
        CHECK(gz.has_token("vary", "accept-encoding"));
        CHECK(gz.get("cache-control") == year);
        CHECK(gunzip(gz.body) == app_js);
        CHECK(std::stoul(gz.get("content-length")) == gz.body.size());
        const HttpResponse plain = fetch(port, request(example_host, "/assets/app.js"));
        CHECK(plain.status == 200);
        CHECK_FALSE(plain.has("content-encoding"));
        CHECK(plain.has_token("vary", "accept-encoding"));
        CHECK(plain.get("cache-control") == year);
        CHECK(plain.body == app_js);
        CHECK_FALSE(gz.get("etag").starts_with("W/"));
        CHECK(gz.get("etag") != plain.get("etag"));
    }
    SECTION("a Range request gets the file's own bytes, uncompressed") {
        const HttpResponse r = fetch(port, request(example_host, "/assets/app.js",
                                                   std::string(gzip_ok) + "Range: bytes=0-99\r\n"));
        CHECK(r.status == 206);
        CHECK_FALSE(r.has("content-encoding"));
        CHECK(r.body == app_js.substr(0, 100));
    }
    SECTION("gzip_min_length: a file under 256 bytes is sent as it is") {
        const HttpResponse r = fetch(port, request(example_host, "/404.html", gzip_ok));
        CHECK(r.status == 200);
        CHECK_FALSE(r.has("content-encoding"));
        CHECK(r.body == file_text("/404.html"));
    }
}

TEST_CASE("site example: error page, fallback and redirect rows", "[integration][site][example]") {
    MODEL_UNDER_TEST();
    const std::uint16_t port = example_server(model);
    const std::string index = file_text("/index.html");
    const std::string not_found = file_text("/404.html");

    SECTION("error_page 404: a missing asset gets the page, status 404, no year of caching") {
        const HttpResponse r = fetch(port, request(example_host, "/assets/missing.js"));
        CHECK(r.status == 404);
        CHECK(r.body == not_found);
        CHECK_FALSE(r.has("cache-control"));
    }
    SECTION("try_files ... /index.html: a route and a missing page get the app, status 200") {
        for (const std::string_view target : {"/users/42", "/gone.html"}) {
            INFO("target: " << target);
            const HttpResponse r = fetch(port, request(example_host, target));
            CHECK(r.status == 200);
            CHECK(r.body == index);
        }
    }
    SECTION("fallback-only-html: a missing image stays 404 (nginx sends the app)") {
        const HttpResponse r = fetch(port, request(example_host, "/logo.png"));
        CHECK(r.status == 404);
        CHECK(r.body == not_found);
    }
    SECTION("return 301: to the new page, the query kept (nginx drops it)") {
        const HttpResponse r = fetch(port, request(example_host, "/old-page.html?ref=mail"));
        CHECK(r.status == 301);
        CHECK(r.get("location") == "/new-page.html?ref=mail");
        CHECK(fetch(port, request(example_host, "/new-page.html")).status == 200);
    }
    SECTION("rewrite ... permanent: the rest of the path and the query follow") {
        const HttpResponse r = fetch(port, request(example_host, "/blog/hello.html?ref=mail"));
        CHECK(r.status == 301);
        CHECK(r.get("location") == "/articles/hello.html?ref=mail");
        CHECK(fetch(port, request(example_host, "/articles/hello.html")).status == 200);
    }
    SECTION("a directory without its slash: 301 to it") {
        const HttpResponse r = fetch(port, request(example_host, "/docs?tab=2"));
        CHECK(r.status == 301);
        CHECK(r.get("location") == "/docs/?tab=2");  // the query kept, as nginx does
        const HttpResponse page = fetch(port, request(example_host, "/docs/"));
        CHECK(page.status == 200);
        CHECK(page.body == file_text("/docs/index.html"));
    }
}
