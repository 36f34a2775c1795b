// Redirect rules: matching, the rest of a prefix, the query, and Locations a crafted request
// tries to break (header splitting, protocol-relative open redirects).
#include <vector>

#include <catch2/catch.hpp>

#include "http/proto/target.hpp"
#include "http/site/rules/redirect.hpp"

namespace {

const std::vector<http::RedirectRule> rules = {
    {"/old", "/new", 301},
    {"/blog/", "https://blog.example/", 308},
    {"/docs/", "/manual", 302},
    {"/", "/home", 307},  // a prefix ending in '/': every path no earlier rule took
};

// Decodes `target` as the site does, then applies `r`; the Location, or "" when none matched.
std::string location(std::string_view target, const std::vector<http::RedirectRule>& r = rules,
                     int* status = nullptr) {
    const http::DecodedTarget t = http::decode_target(target);
    REQUIRE(t.error == http::TargetError::none);
    http::Response res;
    if (!http::apply_redirects(r, t.path, target, res)) return "";
    if (status != nullptr) *status = res.status;
    return res.location;
}

}  // namespace

TEST_CASE("redirect: an exact rule matches its path only") {
    int status = 0;
    CHECK(location("/old", rules, &status) == "/new");
    CHECK(status == 301);
    const std::vector<http::RedirectRule> exact = {{"/old", "/new", 301}};
    CHECK(location("/old/", exact).empty());
    CHECK(location("/older", exact).empty());
    CHECK(location("/Old", exact).empty());
}

TEST_CASE("redirect: a prefix rule appends the rest, and the first match wins") {
    int status = 0;
    CHECK(location("/blog/2024/post?x=1", rules, &status) == "https://blog.example/2024/post?x=1");
    CHECK(status == 308);
    CHECK(location("/blog/") == "https://blog.example/");
    CHECK(location("/docs/a/b", rules, &status) == "/manual/a/b");  // a '/' between
    CHECK(status == 302);
    CHECK(location("/elsewhere", rules, &status) == "/home/elsewhere");
    CHECK(status == 307);
}

TEST_CASE("redirect: the query string is kept, after '&' when the target has one") {
    CHECK(location("/old?a=1&b=2") == "/new?a=1&b=2");
    CHECK(location("/old?a=1#frag") == "/new?a=1");
    CHECK(location("/old?") == "/new");
    const std::vector<http::RedirectRule> with_query = {{"/s", "/search?src=old", 301}};
    CHECK(location("/s?q=x", with_query) == "/search?src=old&q=x");
}

TEST_CASE("redirect: the rest is percent-encoded once") {
    CHECK(location("/blog/a%20b") == "https://blog.example/a%20b");
    CHECK(location("/blog/%25") == "https://blog.example/%25");
    CHECK(location("/blog/caf%C3%A9") == "https://blog.example/caf%C3%A9");
}

TEST_CASE("redirect: no CR, LF or control byte reaches the Location") {
    for (const char* target : {"/blog/a%0D%0ASet-Cookie:%20x=1", "/blog/%09%01%7F", "/old?a=%0d%0a",
                               "/old?a=\"<script>\"", "/blog/\\evil"}) {
        const std::string loc = location(target);
        INFO(target << " -> " << loc);
        REQUIRE_FALSE(loc.empty());
        for (const char c : loc) {
            CHECK(static_cast<unsigned char>(c) > 0x20);
            CHECK(static_cast<unsigned char>(c) < 0x7f);
            CHECK(c != '"');
            CHECK(c != '\\');
        }
    }
    // The raw query cannot carry CR or LF past the parser, but a crafted one is encoded anyway.
    http::Response res;
    REQUIRE(http::apply_redirects(rules, "/old", "/old?a\r\nb", res));
    CHECK(res.location == "/new?a%0D%0Ab");
}

TEST_CASE("redirect: a crafted path never makes a protocol-relative Location") {
    const std::vector<http::RedirectRule> root = {{"/go/", "/", 301}, {"/x/", "", 301}};
    CHECK(location("//evil.example", root).empty());  // normalised to "/evil.example"
    CHECK(location("/go//evil.example", root) == "/evil.example");
    // An encoded slash never becomes a segment boundary: the site refuses the target (400).
    CHECK(http::decode_target("/go/%2F%2Fevil.example").error == http::TargetError::encoded_slash);
    // Called with an unnormalised path all the same, the rest's slashes are dropped.
    http::Response res;
    REQUIRE(http::apply_redirects(root, "/go///evil.example", "/go///evil.example", res));
    CHECK(res.location == "/evil.example");
    res.reset();
    REQUIRE(http::apply_redirects(root, "/x/evil.example", "/x/evil.example", res));
    CHECK(res.location == "/evil.example");  // an empty `to` is the root, not a relative ref
    CHECK(location("/go/%5C%5Cevil.example", root) == "/%5C%5Cevil.example");
}

TEST_CASE("redirect: the response is the status with a small body") {
    http::Response res;
    REQUIRE(http::apply_redirects(rules, "/old", "/old", res));
    CHECK(res.status == 301);
    CHECK_FALSE(res.pieces.empty());
    CHECK(res.content_type == "text/html; charset=utf-8");
}

TEST_CASE("redirect: query_of") {
    CHECK(http::query_of("/a?b=c").compare("b=c") == 0);
    CHECK(http::query_of("/a").empty());
    CHECK(http::query_of("http://h/a?x#y").compare("x") == 0);
}
