// Error pages and the fallback, each on its own against a StaticHandler over a temporary root.
#include <catch2/catch.hpp>

#include "http/site/rules/error_pages.hpp"
#include "unit/http/site/site_root.hpp"

using test::body_of;

namespace {

struct Files {
    test::TempRoot tmp;
    http::StaticHandler handler;
    Files() : handler((test::build_spa(tmp), test::site_config(tmp))) {}

    http::Response missing(const http::Request& req) const {
        http::Response res = test::run(handler, req);
        REQUIRE(res.status == 404);
        return res;
    }
};

}  // namespace

TEST_CASE("fallback: only-html keeps asset-looking paths out") {
    CHECK(http::fallback_allowed("/a/b.js", false));
    CHECK_FALSE(http::fallback_allowed("/a/b.js", true));
    CHECK_FALSE(http::fallback_allowed("/a/b.woff2", true));
    CHECK_FALSE(http::fallback_allowed("/v1.2", true));
    CHECK(http::fallback_allowed("/route", true));
    CHECK(http::fallback_allowed("/a.b/route", true));  // only the last segment counts
    CHECK(http::fallback_allowed("/page.html", true));
    CHECK(http::fallback_allowed("/page.HTM", true));
    CHECK(http::fallback_allowed("/.env", true));  // a leading dot is no extension
    CHECK(http::fallback_allowed("/dir/", true));
    CHECK(http::fallback_allowed("/", true));
}

TEST_CASE("fallback: serves the file with its own status and validators") {
    const Files f;
    http::Response res = f.missing(test::request("/some/route"));
    REQUIRE(http::serve_fallback(f.handler, "/index.html", test::request("/some/route"), res));
    CHECK(res.status == 200);
    CHECK(body_of(res) == "<h1>app</h1>\n");
    CHECK_FALSE(res.etag.empty());
    CHECK(res.content_type == "text/html; charset=utf-8");
}

TEST_CASE("fallback: conditionals and Range apply to the fallback file") {
    const Files f;
    const http::Response index = test::run(f.handler, test::request("/index.html"));
    http::Request req = test::request("/route");
    req.if_none_match = std::string(index.etag.view());
    http::Response res = f.missing(req);
    REQUIRE(http::serve_fallback(f.handler, "/index.html", req, res));
    CHECK(res.status == 304);

    req = test::request("/route");
    req.range = "bytes=0-3";
    res = f.missing(req);
    REQUIRE(http::serve_fallback(f.handler, "/index.html", req, res));
    CHECK(res.status == 206);
    CHECK(body_of(res) == "<h1>");
}

// "app.css.gz" without "app.css": a gzip client gets the file, another the fallback. The
// fallback's response must still say Vary: Accept-Encoding, or a shared cache would hand the
// index to the next gzip client.
TEST_CASE("fallback: a 404 that varied by Accept-Encoding still varies") {
    const Files f;
    f.tmp.file("root/assets/only.css.gz", "GZ");
    http::Request req = test::request("/assets/only.css");
    req.accept_encoding = "gzip";
    CHECK(test::run(f.handler, req).status == 200);
    req.accept_encoding = "br";
    http::Response res = f.missing(req);
    REQUIRE(res.vary_accept_encoding);
    REQUIRE(http::serve_fallback(f.handler, "/index.html", req, res));
    CHECK(body_of(res) == "<h1>app</h1>\n");
    CHECK(res.vary_accept_encoding);
}

TEST_CASE("fallback: a fallback that fails leaves the 404") {
    const Files f;
    for (const std::string_view target : {"/gone.html", "/private/", "/errors/out.html",
                                          "/../outside/secret.html", "/.hidden.html"}) {
        INFO(target);
        http::Response res = f.missing(test::request("/route"));
        CHECK_FALSE(http::serve_fallback(f.handler, target, test::request("/route"), res));
        CHECK(res.status == 404);
        CHECK(body_of(res).find("SECRET") == std::string::npos);
        CHECK(body_of(res).find("404") != std::string::npos);
    }
}

TEST_CASE("error page: its body under the original status and head") {
    const Files f;
    http::Request req = test::request("/nope.js");
    http::Response res = f.missing(req);
    res.close = true;
    REQUIRE(http::serve_error_page(f.handler, "/404.html", req, res));
    CHECK(res.status == 404);
    CHECK(res.close);
    CHECK(body_of(res) == "<p>not here</p>\n");
    CHECK(res.content_type == "text/html; charset=utf-8");
    CHECK(res.etag.empty());  // the page's validators do not describe a 404
    CHECK(res.last_modified == -1);
    CHECK_FALSE(res.accept_ranges);
}

TEST_CASE("error page: the request's Range and conditionals do not reach the page") {
    const Files f;
    const http::Response page = test::run(f.handler, test::request("/404.html"));
    http::Request req = test::request("/nope");
    req.range = "bytes=0-2";
    req.if_none_match = std::string(page.etag.view());
    req.if_modified_since = "Sun, 06 Nov 2094 08:49:37 GMT";
    http::Response res = f.missing(req);
    REQUIRE(http::serve_error_page(f.handler, "/404.html", req, res));
    CHECK(res.status == 404);
    CHECK(body_of(res) == "<p>not here</p>\n");
}

TEST_CASE("error page: HEAD gets the page's length without a different status") {
    const Files f;
    const http::Request req = test::request("/nope", http::Method::head);
    http::Response res = f.missing(req);
    REQUIRE(http::serve_error_page(f.handler, "/404.html", req, res));
    CHECK(res.status == 404);
    CHECK(res.body_length() == 16);
}

TEST_CASE("error page: a missing or unservable page keeps the built-in one") {
    const Files f;
    for (const std::string_view page : {"/missing.html", "/private/", "/errors/out.html",
                                        "/../outside/secret.html", "/assets", "/.hidden.html"}) {
        INFO(page);
        const http::Request req = test::request("/nope");
        http::Response res = f.missing(req);
        const std::string builtin = body_of(res);
        CHECK_FALSE(http::serve_error_page(f.handler, page, req, res));
        CHECK(res.status == 404);
        CHECK(body_of(res) == builtin);
    }
}
