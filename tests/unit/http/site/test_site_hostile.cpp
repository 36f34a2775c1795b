// http::Site against crafted requests (issue 16, "Tests"): redirect targets and globs that try
// to escape what they name, and methods a fallback must not answer. Every Location a site
// sends stays on the site (or on the configured URL's host) and carries no control byte.
#include <catch2/catch.hpp>

#include "http/site/site.hpp"
#include "unit/http/site/site_root.hpp"

using test::body_of;
using test::header;
using test::request;

namespace {

constexpr std::string_view external = "https://example.com/base/";

struct Hostile {
    test::TempRoot tmp;
    http::Site site;
    Hostile() : site("example.com", (test::build_spa(tmp), config(tmp))) {}

    static http::SiteConfig config(const test::TempRoot& t) {
        http::SiteConfig cfg = test::spa_config(t);
        cfg.redirects = {
            {"/old/", "/new/", 301}, {"/ext/", std::string(external), 302}, {"/go", "/", 307}};
        cfg.headers = {{"/assets/**", {{"Cache-Control", "immutable"}}},
                       {"*.js", {{"X-Script", "yes"}}}};
        cfg.fallback = "/index.html";
        return cfg;
    }
    http::Response get(std::string_view target, http::Method m = http::Method::get) const {
        http::Response res;
        site.handle(request(target, m), res);
        return res;
    }
};

// A Location a browser resolves to this site (a path, never "//host" nor "/\host", which
// browsers read as another host) or to the configured URL, with no byte that could end the
// header or that a URI may not hold.
void check_location_stays(std::string_view loc) {
    INFO("Location: " << loc);
    for (const char c : loc) {
        const auto b = static_cast<unsigned char>(c);
        CHECK((b > 0x20 && b < 0x7f && c != '\\'));
    }
    if (loc.starts_with("https://")) {
        CHECK(loc.starts_with(external));
    } else {
        REQUIRE_FALSE(loc.empty());
        CHECK(loc.front() == '/');
        CHECK_FALSE(loc.starts_with("//"));
    }
}

}  // namespace

TEST_CASE("site hostile: crafted paths never take a redirect off the site") {
    const Hostile h;
    struct Case {
        const char* target;
        int status;
        const char* location;  // nullptr: none
    };
    const Case cases[] = {
        // Dot segments, encoded or not, are removed before any rule sees the path; climbing
        // above the root is refused.
        {"/old/%2e%2e/%2e%2e/etc/passwd", 400, nullptr},
        {"/old/%2e%2e/old/x", 301, "/new/x"},
        {"/ext/%2E%2E/x", 200, nullptr},
        // A second slash, raw or after the prefix, never makes "//host".
        {"/old//evil.example", 301, "/new/evil.example"},
        {"//old/x", 301, "/new/x"},
        {"/old/%2F%2Fevil.example", 400, nullptr},  // an encoded '/' is refused
        {"/go?//evil.example", 307, "/?//evil.example"},
        // Backslashes and CR/LF are percent-encoded wherever they come from.
        {"/old/%5c%5cevil.example", 301, "/new/%5C%5Cevil.example"},
        {"/old/\\\\evil.example", 301, "/new/%5C%5Cevil.example"},
        {"/old/a%0d%0aSet-Cookie:%20s=1", 301, "/new/a%0D%0ASet-Cookie%3A%20s%3D1"},
        {"/old/x?a=%0d%0aSet-Cookie:1", 301, "/new/x?a=%0d%0aSet-Cookie:1"},
        {"/old/x?a=\r\nSet-Cookie:1", 301, "/new/x?a=%0D%0ASet-Cookie:1"},
        {"/old/%00", 400, nullptr},
        // A URL target keeps its host: the rest of the path cannot become userinfo or a host.
        {"/ext/@evil.example", 302, "https://example.com/base/%40evil.example"},
        {"/ext/%2f%2fevil.example", 400, nullptr},
        {"/ext/x?y=1", 302, "https://example.com/base/x?y=1"},
        // The static handler's own 301 to the slash is built as safely.
        {"/old/%2e%2e/assets", 301, "/assets/"},
        {"//assets", 301, "/assets/"},
    };
    for (const Case& c : cases) {
        INFO("target: " << c.target);
        const http::Response res = h.get(c.target);
        CHECK(res.status == c.status);
        if (c.location == nullptr) {
            CHECK(res.location.empty());
        } else {
            CHECK(res.location == c.location);
            check_location_stays(res.location);
        }
        CHECK(body_of(res).find("SECRET") == std::string::npos);
    }
}

TEST_CASE("site hostile: a glob matches the normalised path, not the bytes sent") {
    const Hostile h;
    // "/assets/.." is the root: the assets' rule does not follow the path out of /assets/.
    http::Response res = h.get("/assets/%2e%2e/index.html");
    CHECK(res.status == 200);
    CHECK(body_of(res) == "<h1>app</h1>\n");
    CHECK(header(res, "Cache-Control").empty());
    // And a path that climbs back in gets it, as its file does.
    res = h.get("/index.html/../assets/app.js");
    CHECK(res.status == 200);
    CHECK(header(res, "Cache-Control") == "immutable");
    CHECK(header(res, "X-Script") == "yes");
    // A NUL or an encoded '/' cannot forge a last segment or a directory: refused, no rule.
    for (const char* target : {"/index.html%00.js", "/assets%2fapp.js", "/x/..%2fassets/app.js"}) {
        INFO(target);
        res = h.get(target);
        CHECK(res.status == 400);
        CHECK(res.extra_headers.empty());
    }
}

TEST_CASE("site hostile: the fallback answers GET and HEAD only") {
    const Hostile h;
    CHECK(body_of(h.get("/app/route")) == "<h1>app</h1>\n");
    const http::Response head = h.get("/app/route", http::Method::head);
    CHECK(head.status == 200);
    CHECK(head.body_length() == 13);
    for (const http::Method m :
         {http::Method::post, http::Method::put, http::Method::delete_, http::Method::patch}) {
        INFO("method " << static_cast<int>(m));
        const http::Response res = h.get("/app/route", m);
        CHECK(res.status == 405);
        CHECK(res.allow == "GET, HEAD, OPTIONS");
        CHECK(body_of(res).find("<h1>app</h1>") == std::string::npos);
    }
    const http::Response options = h.get("/app/route", http::Method::options);
    CHECK(options.status == 204);
    CHECK(options.pieces.empty());
}
