// Header rules: order, replacement of a name, which statuses get them, and views that point
// into the rules (not into temporaries).
#include <catch2/catch.hpp>

#include "http/site/rules/header_rules.hpp"
#include "unit/http/site/site_root.hpp"

using test::header;

namespace {

const std::vector<http::HeaderRule> rules = {
    {"/**", {{"X-Content-Type-Options", "nosniff"}, {"Cache-Control", "no-cache"}}},
    {"/assets/**", {{"Cache-Control", "public, max-age=31536000, immutable"}}},
    {"*.woff2", {{"Access-Control-Allow-Origin", "*"}}},
    {"/assets/legacy/*", {{"cache-control", "max-age=60"}}},  // the name in another case
};

}  // namespace

TEST_CASE("header rules: every matching rule applies, in order") {
    const http::HeaderRules h(rules);
    http::Response res;
    h.apply("/index.html", res);
    REQUIRE(res.extra_headers.size() == 2);
    CHECK(header(res, "X-Content-Type-Options") == "nosniff");
    CHECK(header(res, "Cache-Control") == "no-cache");

    res = {};
    h.apply("/assets/fonts/a.woff2", res);
    REQUIRE(res.extra_headers.size() == 3);
    CHECK(header(res, "Cache-Control") == "public, max-age=31536000, immutable");
    CHECK(header(res, "Access-Control-Allow-Origin") == "*");
    // A replaced value keeps its place: the first rule's position.
    CHECK(res.extra_headers[1].first == "Cache-Control");
}

TEST_CASE("header rules: a later value replaces an earlier one whatever the name's case") {
    const http::HeaderRules h(rules);
    http::Response res;
    h.apply("/assets/legacy/x.js", res);
    REQUIRE(res.extra_headers.size() == 2);
    CHECK(header(res, "Cache-Control") == "max-age=60");
}

TEST_CASE("header rules: only 2xx and 3xx responses, as nginx's add_header") {
    const http::HeaderRules h(rules);
    for (const int status : {200, 204, 206, 301, 304, 308}) {
        http::Response res;
        res.status = status;
        h.apply("/assets/a.css", res);
        CHECK(res.extra_headers.size() == 2);
    }
    for (const int status : {400, 403, 404, 416, 500, 503}) {
        http::Response res;
        http::make_error(res, status);
        h.apply("/assets/a.css", res);
        CHECK(res.extra_headers.empty());
    }
}

TEST_CASE("header rules: the views point into the compiled rules, not the caller's copy") {
    std::vector<http::HeaderRule> copy = rules;
    const http::HeaderRules h(copy);
    copy.clear();  // the compiled rules own their strings
    http::Response res;
    h.apply("/x", res);
    CHECK(header(res, "Cache-Control") == "no-cache");
}

TEST_CASE("header rules: set_extra_header appends a new name and replaces a known one") {
    http::Response res;
    http::set_extra_header(res, "A", "1");
    http::set_extra_header(res, "B", "2");
    http::set_extra_header(res, "a", "3");
    REQUIRE(res.extra_headers.size() == 2);
    CHECK(res.extra_headers[0].first == "A");
    CHECK(res.extra_headers[0].second == "3");
    CHECK(http::HeaderRules({}).empty());
}
