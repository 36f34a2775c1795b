// http::Site end to end on a temporary root: the order of CORS, methods, redirects, the
// static handler, fallback, error pages and header rules, as one request sees them.
#include <catch2/catch.hpp>

#include "http/site/site.hpp"
#include "unit/http/site/site_root.hpp"

using test::body_of;
using test::header;
using test::request;

namespace {

http::SiteConfig full_config(const test::TempRoot& t) {
    http::SiteConfig cfg = test::spa_config(t);
    cfg.headers = {
        {"/**", {{"X-Content-Type-Options", "nosniff"}}},
        {"/assets/**", {{"Cache-Control", "public, max-age=31536000, immutable"}}},
    };
    cfg.redirects = {{"/old/", "/new/", 308}};
    cfg.cors.origins = {"https://app.example"};
    cfg.cors.max_age = std::chrono::seconds(60);
    cfg.error_pages = {{404, "/404.html"}, {403, "/missing-403.html"}, {500, "/500.html"}};
    cfg.fallback = "/index.html";
    cfg.fallback_only_html = true;
    return cfg;
}

struct Fixture {
    test::TempRoot tmp;
    http::Site site;
    explicit Fixture(http::SiteConfig (*make)(const test::TempRoot&) = full_config)
        : site("example.com", (test::build_spa(tmp), make(tmp))) {}

    http::Response run(const http::Request& req, const http::CorsFields& cors = {}) const {
        http::Response res;
        site.handle(req, res, cors);
        return res;
    }
    http::Response get(std::string_view target) const { return run(request(target)); }
};

}  // namespace

TEST_CASE("site: a file gets its header rules") {
    const Fixture f;
    const http::Response res = f.get("/assets/app.css");
    CHECK(res.status == 200);
    CHECK(body_of(res) == "body{}\n");
    CHECK(header(res, "Cache-Control") == "public, max-age=31536000, immutable");
    CHECK(header(res, "X-Content-Type-Options") == "nosniff");
    CHECK(res.vary_origin);  // CORS is configured
    CHECK(header(res, "Access-Control-Allow-Origin").empty());
    CHECK(f.site.name() == "example.com");
}

TEST_CASE("site: a missing route falls back to the index, a missing asset gets the 404 page") {
    const Fixture f;
    http::Response res = f.get("/app/settings");
    CHECK(res.status == 200);
    CHECK(body_of(res) == "<h1>app</h1>\n");
    CHECK(header(res, "X-Content-Type-Options") == "nosniff");

    res = f.get("/assets/missing.js");
    CHECK(res.status == 404);
    CHECK(body_of(res) == "<p>not here</p>\n");
    // No header rule on an error: a cached year-long 404 would outlive the deploy that adds it.
    CHECK(header(res, "Cache-Control").empty());
    CHECK(res.vary_origin);
}

TEST_CASE("site: HEAD follows GET through fallback and error page") {
    const Fixture f;
    http::Response res = f.run(request("/route", http::Method::head));
    CHECK(res.status == 200);
    CHECK(res.body_length() == 13);
    res = f.run(request("/x.png", http::Method::head));
    CHECK(res.status == 404);
    CHECK(res.body_length() == 16);
}

TEST_CASE("site: an error page that is missing keeps the built-in body") {
    const Fixture f;
    const http::Response res = f.get("/private/");
    CHECK(res.status == 403);
    CHECK(body_of(res).find("403 Forbidden") != std::string::npos);
}

TEST_CASE("site: without a fallback a missing path gets the error page") {
    const Fixture f([](const test::TempRoot& t) {
        http::SiteConfig cfg = full_config(t);
        cfg.fallback.clear();
        return cfg;
    });
    const http::Response res = f.get("/route");
    CHECK(res.status == 404);
    CHECK(body_of(res) == "<p>not here</p>\n");
}

TEST_CASE("site: a fallback that is missing leaves the 404 and its error page") {
    const Fixture f([](const test::TempRoot& t) {
        http::SiteConfig cfg = full_config(t);
        cfg.fallback = "/gone.html";
        return cfg;
    });
    const http::Response res = f.get("/route");
    CHECK(res.status == 404);
    CHECK(body_of(res) == "<p>not here</p>\n");
}

TEST_CASE("site: redirects answer before the files, keep the query, get CORS and rules") {
    const Fixture f;
    const http::Response res = f.run(request("/old/a%20b?x=1"), {"https://app.example", ""});
    CHECK(res.status == 308);
    CHECK(res.location == "/new/a%20b?x=1");
    CHECK(header(res, "Access-Control-Allow-Origin") == "https://app.example");
    CHECK(header(res, "X-Content-Type-Options") == "nosniff");
}

TEST_CASE("site: a crafted path is no open redirect through the directory slash either") {
    const Fixture f;
    http::Response res = f.get("//evil.example/../old/x");
    CHECK(res.status == 308);
    CHECK(res.location == "/new/x");
    res = f.get("//assets");  // the static handler's own 301 to the slash
    CHECK(res.status == 301);
    CHECK(res.location == "/assets/");
}

TEST_CASE("site: CORS on files, errors and preflights") {
    const Fixture f;
    const http::CorsFields app{"https://app.example", ""};
    http::Response res = f.run(request("/assets/app.js"), app);
    CHECK(header(res, "Access-Control-Allow-Origin") == "https://app.example");
    res = f.run(request("/nope.js"), app);
    CHECK(res.status == 404);
    CHECK(header(res, "Access-Control-Allow-Origin") == "https://app.example");

    http::Request pre = request("/assets/app.js", http::Method::options);
    res = f.run(pre, {"https://app.example", "GET"});
    CHECK(res.status == 204);
    CHECK(header(res, "Access-Control-Allow-Methods") == "GET, HEAD");
    CHECK(header(res, "Access-Control-Max-Age") == "60");
    CHECK(res.pieces.empty());

    res = f.run(pre, {"https://evil.example", "GET"});
    CHECK(res.status == 204);
    CHECK(res.allow == "GET, HEAD, OPTIONS");
    CHECK(header(res, "Access-Control-Allow-Origin").empty());
    CHECK(header(res, "Access-Control-Allow-Methods").empty());
}

TEST_CASE("site: OPTIONS without CORS is 204 with Allow; other methods 405") {
    const Fixture f;
    http::Response res = f.run(request("/", http::Method::options));
    CHECK(res.status == 204);
    CHECK(res.allow == "GET, HEAD, OPTIONS");
    res = f.run(request("/", http::Method::post));
    CHECK(res.status == 405);
    CHECK(res.allow == "GET, HEAD, OPTIONS");
    res = f.run(request("/old/x", http::Method::delete_));
    CHECK(res.status == 405);  // methods first: a redirect would invite a retry elsewhere
}

TEST_CASE("site: an undecodable target is a 400, never a fallback") {
    const Fixture f;
    for (const std::string_view target : {"/%zz", "/a%00b", "/../outside/secret.html", "/a%2Fb"}) {
        INFO(target);
        const http::Response res = f.get(target);
        CHECK(res.status == 400);
        CHECK(body_of(res).find("SECRET") == std::string::npos);
        CHECK(res.extra_headers.empty());
    }
}

TEST_CASE("site: error pages and fallbacks that point outside the root serve nothing there") {
    const Fixture f([](const test::TempRoot& t) {
        http::SiteConfig cfg = test::spa_config(t);
        cfg.fallback = "/../outside/secret.html";
        cfg.error_pages = {{404, "/errors/out.html"}};
        return cfg;
    });
    const http::Response res = f.get("/route");
    CHECK(res.status == 404);
    CHECK(body_of(res).find("SECRET") == std::string::npos);
    CHECK(body_of(res).find("404 Not Found") != std::string::npos);
}

TEST_CASE("site: a configured path with odd bytes is a path, not a target") {
    const Fixture f([](const test::TempRoot& t) {
        http::SiteConfig cfg = test::spa_config(t);
        t.file("root/100% ok?.html", "odd\n");
        cfg.error_pages = {{404, "/100% ok?.html"}};
        return cfg;
    });
    const http::Response res = f.get("/route");
    CHECK(res.status == 404);
    CHECK(body_of(res) == "odd\n");
}

TEST_CASE("site: a refusing site answers everything with its status") {
    const auto site = http::Site::refusing("unknown", 421);
    CHECK(site->name() == "unknown");
    CHECK(site->files() == nullptr);
    http::Response res;
    site->handle(request("/index.html"), res);
    CHECK(res.status == 421);
}
