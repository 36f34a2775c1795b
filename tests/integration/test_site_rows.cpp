// Issue 16's rows that are easy to forget, through the real binary on every model: identity;q=0,
// HEAD and conditionals of a compressed variant, Vary on every response of a compressible
// file, a .gz without its original, a missing error page, the fallback's methods, each
// redirect status, crafted redirect paths, Accept-Encoding with thousands of entries, and a
// file changed between two requests for its compressed variant.
#include <fstream>

#include "config_runs.hpp"
#include "suite.hpp"
#include "unit/http/compress/decode.hpp"

using namespace itest;

namespace {

std::string page(std::size_t size, std::string_view word) {
    std::string s = "<!doctype html>\n";
    for (int i = 0; s.size() < size; ++i)
        s += "<p>" + std::string(word) + " " + std::to_string(i) + "</p>\n";
    s.resize(size);
    return s;
}

void write(const std::string& path, const std::string& content) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << content;
    REQUIRE(out.good());
}

// Files above the small-file cache's 16 KiB, so that a change is seen at once.
struct RowFiles {
    ScratchDir scratch;
    std::string root = scratch.dir("root", 0755);
    std::string config = scratch.path + "/rows.toml";
    std::string page_html = page(20 * 1024, "page");
    std::string index = "<h1>app</h1>\n";

    RowFiles() {
        scratch.dir("root/dir", 0755);
        scratch.dir("root/locked", 0755);  // no index, no listing: 403
        write(root + "/page.html", page_html);
        write(root + "/index.html", index);
        write(root + "/dir/index.html", index);
        write(root + "/only.css.gz", "GZIP BYTES");
        write(config, "root = \"" + root + "\"\n" + R"(compress = ["gzip", "br"]
error-pages = { 403 = "/no-such-403.html" }
fallback = "/index.html"
fallback-only-html = true

[[redirect]]
from = "/old/"
to = "/new/"
status = 301
[[redirect]]
from = "/r302"
to = "/page.html"
status = 302
[[redirect]]
from = "/r307"
to = "https://example.com/x/"
status = 307
[[redirect]]
from = "/r308/"
to = "/"
status = 308
)");
    }
};

const RowFiles& row_files() {
    static const RowFiles files;
    return files;
}

HttpResponse get_with(std::uint16_t port, std::string_view target, std::string_view headers,
                      std::string_view method = "GET") {
    return fetch(port, make_request(method, target, headers), method == "HEAD");
}

std::string decoded(const HttpResponse& r) {
    const auto coding = http::coding_from_name(r.get("content-encoding"));
    return test::decode(coding.value_or(http::Coding::identity), r.body);
}

// A Location that stays on this site (or the configured URL) with no byte a header may not hold.
void check_safe_location(const HttpResponse& r) {
    const std::string loc = r.get("location");
    INFO("Location: " << loc);
    CHECK(loc.find_first_of(std::string("\r\n\0\\ ", 5)) == std::string::npos);
    CHECK((loc.starts_with("https://example.com/") || (loc.starts_with('/') && loc[1] != '/')));
    CHECK_FALSE(r.has("set-cookie"));
}

}  // namespace

TEST_CASE("site rows: compression, error page, fallback, redirects", "[integration][site]") {
    MODEL_UNDER_TEST();
    const RowFiles& f = row_files();
    const std::vector<std::string> flags = {"--config", f.config, "--root", f.root};
    const std::uint16_t port = shared_server(model, flags).port();
    SECTION("identity;q=0 is honoured: an acceptable coding is sent") {
        for (const char* ae : {"gzip, identity;q=0", "identity;q=0, br;q=0.5", "*;q=0, gzip"}) {
            INFO("Accept-Encoding: " << ae);
            const HttpResponse r =
                get_with(port, "/page.html", "Accept-Encoding: " + std::string(ae) + "\r\n");
            CHECK(r.status == 200);
            CHECK(r.has("content-encoding"));
            CHECK(decoded(r) == f.page_html);
        }
    }
    SECTION("HEAD and conditionals agree with GET for a compressed variant; Vary on each") {
        const std::string gz = "Accept-Encoding: gzip\r\n";
        const HttpResponse get = get_with(port, "/page.html", gz);
        REQUIRE(get.get("content-encoding") == "gzip");
        const HttpResponse head = get_with(port, "/page.html", gz, "HEAD");
        CHECK(head.status == 200);
        CHECK(head.get("content-encoding") == "gzip");
        CHECK(head.get("etag") == get.get("etag"));
        CHECK(head.get("content-length") == std::to_string(get.body.size()));
        CHECK(head.body.empty());
        const std::string tag = "If-None-Match: " + get.get("etag") + "\r\n";
        const std::string since = "If-Modified-Since: " + get.get("last-modified") + "\r\n";
        const HttpResponse responses[] = {
            get,
            head,
            get_with(port, "/page.html", ""),
            get_with(port, "/page.html", gz + tag),
            get_with(port, "/page.html", gz + tag, "HEAD"),
            get_with(port, "/page.html", gz + since),
            get_with(port, "/page.html", gz + "If-Match: \"other\"\r\n"),
            get_with(port, "/page.html", gz + "Range: bytes=0-9\r\n"),
        };
        const int statuses[] = {200, 200, 200, 304, 304, 304, 412, 206};
        for (std::size_t i = 0; i < std::size(responses); ++i) {
            INFO("response " << i << ":\n" << responses[i].head);
            CHECK(responses[i].status == statuses[i]);
            CHECK(responses[i].has_token("vary", "accept-encoding"));
        }
        CHECK(responses[3].get("etag") == get.get("etag"));
        CHECK(responses[7].body == f.page_html.substr(0, 10));  // a Range gets the file's bytes
        // The variant's tag is not the file's: a client holding the gzip one gets the file.
        const HttpResponse other = get_with(port, "/page.html", tag);
        CHECK(other.status == 200);
        CHECK(other.body == f.page_html);
    }
    SECTION("a .gz without its original: to gzip clients, 404 to others, HEAD alike") {
        const HttpResponse gz = get_with(port, "/only.css", "Accept-Encoding: gzip\r\n");
        CHECK(gz.status == 200);
        CHECK(gz.get("content-encoding") == "gzip");
        CHECK(gz.body == "GZIP BYTES");
        const HttpResponse head = get_with(port, "/only.css", "Accept-Encoding: gzip\r\n", "HEAD");
        CHECK(head.status == 200);
        CHECK(head.get("content-length") == "10");
        for (const char* ae : {"", "Accept-Encoding: br\r\n", "Accept-Encoding: gzip;q=0\r\n"}) {
            INFO(ae);
            const HttpResponse r = get_with(port, "/only.css", ae);
            CHECK(r.status == 404);  // an asset-looking path: no fallback
            CHECK(r.has_token("vary", "accept-encoding"));
        }
    }
    SECTION("a missing error page falls back to the built-in one") {
        const HttpResponse r = fetch(port, get_request("/locked/"));
        CHECK(r.status == 403);
        CHECK(r.body.find("403 Forbidden") != std::string::npos);
    }
    SECTION("the fallback answers GET and HEAD only") {
        CHECK(fetch(port, get_request("/app/route")).body == f.index);
        const HttpResponse head = get_with(port, "/app/route", "", "HEAD");
        CHECK(head.status == 200);
        CHECK(head.get("content-length") == std::to_string(f.index.size()));
        for (const char* method : {"POST", "PUT", "DELETE"}) {
            INFO(method);
            const HttpResponse r =
                fetch(port, make_request(method, "/app/route", "Content-Length: 0\r\n"));
            CHECK(r.status == 405);
            CHECK(r.body.find("<h1>app</h1>") == std::string::npos);
        }
    }
    SECTION("each redirect status, with the query kept") {
        struct Case {
            const char* target;
            int status;
            const char* location;
        };
        for (const Case& c : {Case{"/old/a?q=1", 301, "/new/a?q=1"},
                              Case{"/r302?q=1&r=2", 302, "/page.html?q=1&r=2"},
                              Case{"/r307", 307, "https://example.com/x/"},
                              Case{"/r308/deep/er?z", 308, "/deep/er?z"}}) {
            INFO(c.target);
            const HttpResponse r = fetch(port, get_request(c.target));
            CHECK(r.status == c.status);
            CHECK(r.get("location") == c.location);
        }
    }
    SECTION("crafted redirect paths never leave the site nor carry a control") {
        for (const char* target :
             {"/old/%2e%2e/old/x", "/old//evil.example", "/r308//evil.example",
              "/r308/%5c%5cevil.example", "/r308/%09/evil.example", "/old/a%0d%0aSet-Cookie:%20s=1",
              "/r302?x=%0d%0aSet-Cookie:%20s=1", "/r308/@evil.example", "/r307?//evil.example"}) {
            INFO("target: " << target);
            const HttpResponse r = fetch(port, get_request(target));
            CHECK((r.status >= 301 && r.status <= 308));
            check_safe_location(r);
        }
        for (const char* target : {"/old/%2F%2Fevil.example", "/old/%00x", "/r308/..%2fx"}) {
            INFO("target: " << target);
            const HttpResponse r = fetch(port, get_request(target));
            CHECK(r.status == 400);
            CHECK_FALSE(r.has("location"));
        }
    }
    CLEAN_SHUTDOWN_SECTION(flags)
}

// The suite's head limit (8 KiB) holds about 3,000 entries; past it the parser answers 431
// before any Accept-Encoding is read.
TEST_CASE("site rows: Accept-Encoding with thousands of entries", "[integration][site]") {
    MODEL_UNDER_TEST();
    const RowFiles& f = row_files();
    const std::vector<std::string> flags = {"--config", f.config, "--root", f.root};
    const std::uint16_t port = shared_server(model, flags).port();
    std::string many;
    for (int i = 0; i < 3000; ++i) many += "x,";
    REQUIRE(many.size() + 200 < max_head_size);
    HttpResponse r = get_with(port, "/page.html", "Accept-Encoding: " + many + "br;q=0.5\r\n");
    CHECK(r.status == 200);
    CHECK(r.get("content-encoding") == "br");
    CHECK(decoded(r) == f.page_html);
    std::string refusals;
    for (int i = 0; i < 1000; ++i) refusals += "br;q=0,";
    r = get_with(port, "/page.html", "Accept-Encoding: " + refusals + "br\r\n");
    CHECK(r.status == 200);
    CHECK_FALSE(r.has("content-encoding"));  // the refusal is never overridden
    CHECK(r.body == f.page_html);
    std::string too_many;
    for (int i = 0; i < 2000; ++i) too_many += "gzip,";
    r = get_with(port, "/page.html", "Accept-Encoding: " + too_many + "\r\n");
    CHECK(r.status == 431);
    CHECK(fetch(port, get_request("/page.html")).status == 200);  // and the server serves on
}

TEST_CASE("site rows: a file changed between two requests for its compressed variant",
          "[integration][site]") {
    MODEL_UNDER_TEST();
    const RowFiles& f = row_files();
    const std::vector<std::string> flags = {"--config", f.config, "--root", f.root};
    const std::uint16_t port = shared_server(model, flags).port();
    const std::string target = "/changing-" + model + ".html";
    const std::string before = page(20 * 1024, "before");
    const std::string after = page(24 * 1024, "after");  // another size: another identity
    write(f.root + target, before);
    const std::string gz = "Accept-Encoding: gzip\r\n";
    const HttpResponse first = get_with(port, target, gz);
    REQUIRE(first.get("content-encoding") == "gzip");
    CHECK(decoded(first) == before);
    write(f.root + target, after);
    const HttpResponse second = get_with(port, target, gz);
    REQUIRE(second.get("content-encoding") == "gzip");
    CHECK(second.get("etag") != first.get("etag"));
    CHECK(decoded(second) == after);
    // The old tag no longer matches: the new content, never a 304 for the old one.
    const HttpResponse cond =
        get_with(port, target, gz + "If-None-Match: " + first.get("etag") + "\r\n");
    CHECK(cond.status == 200);
    CHECK(decoded(cond) == after);
    CHECK(get_with(port, target, gz + "If-None-Match: " + second.get("etag") + "\r\n").status ==
          304);
}

// Issue 16: "Directory redirects (301 to the slash) keep the query string too".
TEST_CASE("site rows: a directory redirect keeps the query string", "[integration][site]") {
    MODEL_UNDER_TEST();
    const RowFiles& f = row_files();
    const std::vector<std::string> flags = {"--config", f.config, "--root", f.root};
    const HttpResponse r = fetch(shared_server(model, flags).port(), get_request("/dir?page=2"));
    CHECK(r.status == 301);
    CHECK(r.get("location") == "/dir/?page=2");
}
