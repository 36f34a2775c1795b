// CORS: which origins get Access-Control-Allow-Origin, Vary: Origin, and the preflight.
#include <catch2/catch.hpp>

#include "http/site/rules/cors.hpp"
#include "unit/http/site/site_root.hpp"

using test::header;

namespace {

http::CorsRule listed() {
    http::CorsRule r;
    r.origins = {"https://app.example", "http://localhost:3000"};
    r.methods = {"GET", "HEAD", "POST"};
    r.headers = {"Content-Type", "X-Token"};
    r.max_age = std::chrono::seconds(600);
    return r;
}

http::Request options() {
    http::Request req;
    req.method = http::Method::options;
    req.target = "/api";
    return req;
}

}  // namespace

TEST_CASE("cors: off without origins") {
    const http::Cors off(http::CorsRule{});
    CHECK_FALSE(off.enabled());
    http::Response res;
    off.decorate({"https://app.example", ""}, res);
    CHECK_FALSE(res.vary_origin);
    CHECK(res.extra_headers.empty());
}

TEST_CASE("cors: an allowed origin is echoed exactly, others get nothing but Vary") {
    const http::Cors cors(listed());
    http::Response res;
    cors.decorate({"https://app.example", ""}, res);
    CHECK(res.vary_origin);
    CHECK(header(res, "Access-Control-Allow-Origin") == "https://app.example");

    for (const std::string_view origin :
         {"https://evil.example", "https://app.example.evil", "https://APP.example",
          "https://app.example/", "null", ""}) {
        INFO(origin);
        http::Response other;
        cors.decorate({origin, ""}, other);
        CHECK(other.vary_origin);
        CHECK(other.extra_headers.empty());
    }
}

TEST_CASE("cors: the echoed origin is the configured copy, not the request's buffer") {
    const http::Cors cors(listed());
    std::string origin = "https://app.example";
    const std::string_view allowed = cors.allow_origin(origin);
    origin.assign("XXXXXXXXXXXXXXXXXXX");
    CHECK(allowed == "https://app.example");
}

TEST_CASE("cors: '*' allows any origin with '*'") {
    http::CorsRule r;
    r.origins = {"*"};
    const http::Cors any(r);
    CHECK(any.allow_origin("https://whoever.example") == "*");
    CHECK(any.allow_origin("").empty());  // no Origin: not a CORS request
    http::Response res;
    any.decorate({"https://whoever.example", ""}, res);
    CHECK(header(res, "Access-Control-Allow-Origin") == "*");
    CHECK(res.vary_origin);
}

TEST_CASE("cors: a preflight is OPTIONS with Origin and Access-Control-Request-Method") {
    CHECK(http::Cors::is_preflight(options(), {"https://a", "POST"}));
    CHECK_FALSE(http::Cors::is_preflight(options(), {"https://a", ""}));
    CHECK_FALSE(http::Cors::is_preflight(options(), {"", "POST"}));
    http::Request get = options();
    get.method = http::Method::get;
    CHECK_FALSE(http::Cors::is_preflight(get, {"https://a", "POST"}));
}

TEST_CASE("cors: an allowed preflight gets 204 with methods, headers and max-age") {
    const http::Cors cors(listed());
    http::Response res;
    res.close = true;
    cors.answer_preflight({"http://localhost:3000", "POST"}, "GET, HEAD, OPTIONS", res);
    CHECK(res.status == 204);
    CHECK(res.close);
    CHECK(res.allow == "GET, HEAD, OPTIONS");
    CHECK(res.vary_origin);
    CHECK(res.pieces.empty());
    CHECK(header(res, "Access-Control-Allow-Origin") == "http://localhost:3000");
    CHECK(header(res, "Access-Control-Allow-Methods") == "GET, HEAD, POST");
    CHECK(header(res, "Access-Control-Allow-Headers") == "Content-Type, X-Token");
    CHECK(header(res, "Access-Control-Max-Age") == "600");
}

TEST_CASE("cors: optional preflight fields are left out when not configured") {
    http::CorsRule r;
    r.origins = {"https://a.example"};
    const http::Cors cors(r);
    http::Response res;
    cors.answer_preflight({"https://a.example", "GET"}, "GET, HEAD, OPTIONS", res);
    CHECK(header(res, "Access-Control-Allow-Methods") == "GET, HEAD");
    CHECK(header(res, "Access-Control-Allow-Headers").empty());
    CHECK(header(res, "Access-Control-Max-Age").empty());
}

TEST_CASE("cors: a disallowed preflight gets the plain OPTIONS answer, no CORS fields") {
    const http::Cors cors(listed());
    http::Response res;
    cors.answer_preflight({"https://evil.example", "POST"}, "GET, HEAD, OPTIONS", res);
    CHECK(res.status == 204);
    CHECK(res.allow == "GET, HEAD, OPTIONS");
    CHECK(res.vary_origin);
    CHECK(res.extra_headers.empty());
}
