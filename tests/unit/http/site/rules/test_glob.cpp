// Glob: the path patterns of header rules, including the pathological ones a naive recursive
// matcher takes exponential time on (bounded here by counting the matcher's steps).
#include <catch2/catch.hpp>

#include "http/site/rules/glob.hpp"

namespace {

bool match(std::string_view pattern, std::string_view path) {
    return http::Glob(pattern).matches(path);
}

}  // namespace

TEST_CASE("glob: a trailing ** is anything below the directory") {
    CHECK(match("/assets/**", "/assets/app.css"));
    CHECK(match("/assets/**", "/assets/a/b/c.js"));
    CHECK(match("/assets/**", "/assets/"));
    CHECK_FALSE(match("/assets/**", "/assets"));
    CHECK_FALSE(match("/assets/**", "/assetsx/a"));
    CHECK_FALSE(match("/assets/**", "/other/assets/a"));
}

TEST_CASE("glob: ** inside a pattern is zero or more segments") {
    CHECK(match("/a/**/b", "/a/b"));
    CHECK(match("/a/**/b", "/a/x/b"));
    CHECK(match("/a/**/b", "/a/x/y/z/b"));
    CHECK_FALSE(match("/a/**/b", "/a/x/bc"));
    CHECK(match("/**/x", "/x"));
    CHECK(match("/**/**/x", "/p/q/x"));
    CHECK_FALSE(match("/**/x", "/x/y"));
}

TEST_CASE("glob: * is one segment's bytes, never a slash") {
    CHECK(match("/a/*/b", "/a/x/b"));
    CHECK_FALSE(match("/a/*/b", "/a/x/y/b"));
    CHECK(match("/a/*", "/a/"));  // the directory's index, as "/a/*" means in Caddy
    CHECK(match("/*.html", "/index.html"));
    CHECK_FALSE(match("/*.html", "/d/index.html"));
    CHECK(match("/img-*-x.png", "/img--x.png"));
    CHECK(match("/img-*-x.png", "/img-1-2-x.png"));
    CHECK(match("/a**b", "/axyb"));  // "**" within a segment is '*'
    CHECK_FALSE(match("/a**b", "/ax/yb"));
}

TEST_CASE("glob: a pattern without a leading slash matches at any depth") {
    CHECK(match("*.woff2", "/font.woff2"));
    CHECK(match("*.woff2", "/static/fonts/a.woff2"));
    CHECK_FALSE(match("*.woff2", "/static/fonts/a.woff2.map"));
    CHECK_FALSE(match("*.woff2", "/a.woff2/x"));
    CHECK(match("fonts/*.woff2", "/static/fonts/a.woff2"));
    CHECK_FALSE(match("fonts/*.woff2", "/static/fontsx/a.woff2"));
}

TEST_CASE("glob: ? is one byte, never a slash") {
    CHECK(match("/v?/x", "/v1/x"));
    CHECK_FALSE(match("/v?/x", "/v12/x"));
    CHECK_FALSE(match("/v?/x", "/v/x"));
    CHECK_FALSE(match("/a?b", "/a/b"));
}

TEST_CASE("glob: exact patterns and paths that are not absolute") {
    CHECK(match("/", "/"));
    CHECK_FALSE(match("/", "/a"));
    CHECK(match("/robots.txt", "/robots.txt"));
    CHECK_FALSE(match("/robots.txt", "/robots.txt/"));
    CHECK_FALSE(match("/**", "relative/path"));
    CHECK_FALSE(match("*", ""));
}

TEST_CASE("glob: a pattern's literal '..' or '/' cannot reach outside what it names") {
    // Globs match the normalised path, which has no dot segments: a pattern naming one
    // matches nothing rather than something above.
    CHECK_FALSE(match("/assets/../secret", "/secret"));
    CHECK_FALSE(match("/assets/**/../x", "/x"));
    CHECK(match("/assets/../secret", "/assets/../secret"));  // only the literal bytes
}

TEST_CASE("glob: pathological patterns cost polynomial steps, not exponential") {
    std::string path;
    for (int i = 0; i < 2000; ++i) path += "/a";
    path += "/y";
    const http::Glob many_stars("/**/**/**/**/**/**/**/**/x");
    std::size_t steps = 0;
    CHECK_FALSE(many_stars.matches(path, steps));
    // Collapsed to one "**": about one restart per path segment.
    CHECK(steps < 20'000);

    const http::Glob alternating("/**/a/**/a/**/a/**/a/**/a/**/x");
    steps = 0;
    CHECK_FALSE(alternating.matches(path, steps));
    CHECK(steps < 200'000);  // O(segments * pattern), a recursive matcher needs ~2000^5

    const std::string long_segment = "/" + std::string(5000, 'a');
    const http::Glob stars_in_segment("/*a*a*a*a*a*a*a*a*b");
    steps = 0;
    CHECK_FALSE(stars_in_segment.matches(long_segment, steps));
    CHECK(steps < 5000 * 20 * 2);
    CHECK(stars_in_segment.matches(long_segment + "b"));
}

TEST_CASE("glob: segment patterns") {
    std::size_t steps = 0;
    CHECK(http::segment_matches("*", "", steps));
    CHECK(http::segment_matches("", "", steps));
    CHECK_FALSE(http::segment_matches("", "a", steps));
    CHECK(http::segment_matches("a*c", "abbbc", steps));
    CHECK_FALSE(http::segment_matches("a*c", "abbbcd", steps));
    CHECK(http::segment_matches("*?", "x", steps));
    CHECK_FALSE(http::segment_matches("*??", "x", steps));
}
