// decode_target / encode_path: traversal encodings, forms, escapes, and random-input
// invariants.
#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "http/proto/target.hpp"

using http::decode_target;
using http::encode_path;
using http::TargetError;

namespace {

struct Case {
    std::string raw;
    TargetError error;
    std::string path;  // expected on success
};

std::string error_name(TargetError e) {
    switch (e) {
        case TargetError::none: return "none";
        case TargetError::bad_form: return "bad_form";
        case TargetError::bad_escape: return "bad_escape";
        case TargetError::nul: return "nul";
        case TargetError::encoded_slash: return "encoded_slash";
        case TargetError::escapes_root: return "escapes_root";
    }
    return "?";
}

void check_table(const std::vector<Case>& cases) {
    for (const Case& c : cases) {
        INFO("raw target: " << c.raw);
        const auto r = decode_target(c.raw);
        CHECK(error_name(r.error) == error_name(c.error));
        if (c.error == TargetError::none) {
            CHECK(r.path == c.path);
        } else {
            CHECK(r.path.empty());
        }
    }
}

// The invariants every successful decode must satisfy, whatever the input.
bool has_segment(const std::string& p, std::string_view seg) {
    std::size_t pos = 0;
    while (pos <= p.size()) {
        std::size_t end = p.find('/', pos);
        if (end == std::string::npos) end = p.size();
        if (std::string_view(p).substr(pos, end - pos) == seg) return true;
        pos = end + 1;
    }
    return false;
}

void check_invariants(const std::string& raw, const std::string& p) {
    INFO("raw target bytes: " << encode_path(raw) << " -> " << encode_path(p));
    REQUIRE(!p.empty());
    REQUIRE(p.front() == '/');
    REQUIRE(p.find('\0') == std::string::npos);
    REQUIRE(p.find("//") == std::string::npos);
    REQUIRE(p.find("/./") == std::string::npos);
    REQUIRE(p.find("/../") == std::string::npos);
    REQUIRE_FALSE(has_segment(p, ".."));
    REQUIRE_FALSE(has_segment(p, "."));
    // A normalised path survives a round trip through the Location encoding unchanged.
    const auto again = decode_target(encode_path(p));
    REQUIRE(again.error == TargetError::none);
    REQUIRE(again.path == p);
}

}  // namespace

TEST_CASE("target: plain origin-form paths", "[target]") {
    check_table({
        {"/", TargetError::none, "/"},
        {"/index.html", TargetError::none, "/index.html"},
        {"/a/b/c.txt", TargetError::none, "/a/b/c.txt"},
        {"/a/", TargetError::none, "/a/"},
        {"/a/b?x=1&y=/../..", TargetError::none, "/a/b"},
        {"/a/b#frag/../..", TargetError::none, "/a/b"},
        {"/a?", TargetError::none, "/a"},
        {"/?q", TargetError::none, "/"},
        {"/%41%62c", TargetError::none, "/Abc"},
        {"/hello%20world", TargetError::none, "/hello world"},
        {"/a%3fb", TargetError::none, "/a?b"},  // an encoded '?' is part of the name
        {"/a%23b", TargetError::none, "/a#b"},
        {"/%e2%82%ac", TargetError::none, "/\xe2\x82\xac"},
        {"/a\\b", TargetError::none, "/a\\b"},  // backslash is a legal Linux file-name byte
        {"/a%5cb", TargetError::none, "/a\\b"},
        {"/...", TargetError::none, "/..."},
        {"/..a", TargetError::none, "/..a"},
        {"/a..", TargetError::none, "/a.."},
        {"/.hidden", TargetError::none, "/.hidden"},
    });
}

TEST_CASE("target: dot segments and slashes", "[target]") {
    check_table({
        {"/a/./b", TargetError::none, "/a/b"},
        {"/a/b/../c", TargetError::none, "/a/c"},
        {"/a/.", TargetError::none, "/a/"},
        {"/a/..", TargetError::none, "/"},
        {"/a/b/..", TargetError::none, "/a/"},
        {"/a/b/../", TargetError::none, "/a/"},
        {"/.", TargetError::none, "/"},
        {"/./", TargetError::none, "/"},
        {"/./a", TargetError::none, "/a"},
        {"//", TargetError::none, "/"},
        {"//a//b//", TargetError::none, "/a/b/"},
        {"///etc/passwd", TargetError::none, "/etc/passwd"},
        {"/a//../b", TargetError::none, "/b"},  // like the filesystem: a//.. is a/..
        {"/a/b/c/../../d", TargetError::none, "/a/d"},
        {"/a/%2e/b", TargetError::none, "/a/b"},
        {"/a/%2E%2e/b", TargetError::none, "/b"},
    });
}

TEST_CASE("target: traversal encodings", "[target][security]") {
    check_table({
        {"/..", TargetError::escapes_root, ""},
        {"/../", TargetError::escapes_root, ""},
        {"/../etc/passwd", TargetError::escapes_root, ""},
        {"/a/../../etc/passwd", TargetError::escapes_root, ""},
        {"/a/b/../../..", TargetError::escapes_root, ""},
        {"/./../x", TargetError::escapes_root, ""},
        {"//../x", TargetError::escapes_root, ""},
        {"/..%2f..%2fetc/passwd", TargetError::encoded_slash, ""},
        {"/..%2F", TargetError::encoded_slash, ""},
        {"/a%2fb", TargetError::encoded_slash, ""},
        {"/%2e%2e/etc/passwd", TargetError::escapes_root, ""},
        {"/%2E%2E/etc/passwd", TargetError::escapes_root, ""},
        {"/.%2e/x", TargetError::escapes_root, ""},
        {"/%2e./x", TargetError::escapes_root, ""},
        {"/%2e%2e%2f%2e%2e%2fetc", TargetError::encoded_slash, ""},
        // Backslash is not a separator on Linux: these are single odd names, not traversal.
        {"/..%5c..%5cetc%5cpasswd", TargetError::none, "/..\\..\\etc\\passwd"},
        {"/..\\..\\x", TargetError::none, "/..\\..\\x"},
        {"/\\..\\", TargetError::none, "/\\..\\"},
        // Decoded exactly once: "%252e%252e" is the literal name "%2e%2e".
        {"/%252e%252e/x", TargetError::none, "/%2e%2e/x"},
        {"/%252e%252e%252fetc", TargetError::none, "/%2e%2e%2fetc"},
        {"/%25%32%65%25%32%65/", TargetError::none, "/%2e%2e/"},
        // Overlong UTF-8 for '.' is just bytes, never a dot.
        {"/%c0%ae%c0%ae/x", TargetError::none, "/\xc0\xae\xc0\xae/x"},
        {"/%c0%ae%c0%ae%c0%af", TargetError::none, "/\xc0\xae\xc0\xae\xc0\xaf"},
        {"/%c0%2e%c0%2e/x", TargetError::none, "/\xc0.\xc0./x"},
        // Absolute-form does not bypass normalisation.
        {"http://example.com/../etc/passwd", TargetError::escapes_root, ""},
        {"http://example.com/a/%2e%2e/%2e%2e/x", TargetError::escapes_root, ""},
        {"http://example.com/a/../b", TargetError::none, "/b"},
        // Dot segments in the query are not path.
        {"/a?/../../x", TargetError::none, "/a"},
    });
}

TEST_CASE("target: escapes and NUL", "[target][security]") {
    check_table({
        {"/%zz", TargetError::bad_escape, ""},
        {"/%4", TargetError::bad_escape, ""},
        {"/a%", TargetError::bad_escape, ""},
        {"/%", TargetError::bad_escape, ""},
        {"/%g0", TargetError::bad_escape, ""},
        {"/%0g", TargetError::bad_escape, ""},
        {"/%%41", TargetError::bad_escape, ""},
        {"/%-1", TargetError::bad_escape, ""},
        {"/% 1", TargetError::bad_escape, ""},
        {"/%00", TargetError::nul, ""},
        {"/a%00.html", TargetError::nul, ""},
        {std::string("/a\0b", 4), TargetError::nul, ""},
        {"/ok?%zz", TargetError::none, "/ok"},  // the query is dropped before decoding
        {"/ok#%00", TargetError::none, "/ok"},
    });
}

TEST_CASE("target: request forms", "[target]") {
    check_table({
        {"", TargetError::bad_form, ""},
        {"*", TargetError::bad_form, ""},
        {"example.com:443", TargetError::bad_form, ""},
        {"a/b", TargetError::bad_form, ""},
        {"../etc/passwd", TargetError::bad_form, ""},
        {"?x", TargetError::bad_form, ""},
        {"ftp://example.com/a", TargetError::bad_form, ""},
        {"file:///etc/passwd", TargetError::bad_form, ""},
        {"http:/a", TargetError::bad_form, ""},
        {"http:///etc/passwd", TargetError::bad_form, ""},  // empty authority
        {"http://exa mple/a", TargetError::bad_form, ""},
        {"http://example.com/a/b?q#f", TargetError::none, "/a/b"},
        {"HTTP://Example.COM/a", TargetError::none, "/a"},
        {"hTtPs://example.com:8443/x/", TargetError::none, "/x/"},
        // Userinfo is refused (RFC 9110 §4.2.4: it hides the real authority), and an
        // authority is checked as a Host field is (http/fields/host.hpp).
        {"https://user@example.com/x", TargetError::bad_form, ""},
        {"http://###/x", TargetError::bad_form, ""},
        {"http://[::1/x", TargetError::bad_form, ""},
        {"http://h:abc/x", TargetError::bad_form, ""},
        {"http://x:1:2/x", TargetError::bad_form, ""},
        {"http://:80/x", TargetError::bad_form, ""},
        {"http://h:/x", TargetError::none, "/x"},
        {"http://[::1]:8080/x", TargetError::none, "/x"},
        {"http://example.com", TargetError::none, "/"},  // empty path is "/" (RFC 9110 4.2.3)
        {"http://example.com?q=1", TargetError::none, "/"},
        {"http://example.com/%2e%2e%2f", TargetError::encoded_slash, ""},
    });
}

TEST_CASE("target: encode_path", "[target]") {
    CHECK(encode_path("/a/b-c_d.e~f/") == "/a/b-c_d.e~f/");
    CHECK(encode_path("/AZaz09") == "/AZaz09");
    CHECK(encode_path("/a b") == "/a%20b");
    CHECK(encode_path("/a\r\nSet-Cookie: x") == "/a%0D%0ASet-Cookie%3A%20x");
    CHECK(encode_path("/100%") == "/100%25");
    CHECK(encode_path("/\"<>'`") == "/%22%3C%3E%27%60");
    CHECK(encode_path("/?#") == "/%3F%23");
    CHECK(encode_path("/\\") == "/%5C");
    CHECK(encode_path("/\xe2\x82\xac") == "/%E2%82%AC");
    CHECK(encode_path(std::string("/\0\x7f\xff", 4)) == "/%00%7F%FF");
    CHECK(encode_path("") == "");
}

TEST_CASE("target: encode_path output is always safe", "[target][security]") {
    std::string all;
    for (int b = 0; b < 256; ++b) all.push_back(static_cast<char>(b));
    const std::string enc = encode_path(all);
    for (char c : enc) {
        const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~' ||
                        c == '/' || c == '%';
        CHECK(ok);
    }
    // Exactly the 62 alphanumerics, "-._~" and '/' pass through; every other byte is %XX.
    const std::size_t kept = 26 + 26 + 10 + 4 + 1;
    CHECK(enc.size() == kept + (256 - kept) * 3);
}

TEST_CASE("target: random inputs keep the invariants", "[target][security][property]") {
    // Alphabet biased towards the bytes that matter for traversal, plus arbitrary bytes.
    static const std::string interesting[] = {
        "/",      ".",  "..", "%", "%2e", "%2E", "%2f", "%2F", "%5c", "%25",  "%00",
        "%c0%ae", "\\", "a",  "b", "?",   "#",   "%zz", "%4",  "//",  "/../", "/./"};
    std::mt19937_64 rng(0x5eed);
    std::size_t successes = 0;
    std::size_t escapes = 0;
    for (int iter = 0; iter < 20000; ++iter) {
        std::string raw = (iter % 7 == 0) ? "http://h" : "";
        raw += '/';
        const auto pieces = rng() % 24;
        for (std::uint64_t i = 0; i < pieces; ++i) {
            if (rng() % 5 == 0)
                raw.push_back(static_cast<char>(rng() % 256));
            else
                raw += interesting[rng() % std::size(interesting)];
        }
        const auto r = decode_target(raw);
        if (r.error == TargetError::none) {
            ++successes;
            check_invariants(raw, r.path);
        } else {
            REQUIRE(r.path.empty());
            if (r.error == TargetError::escapes_root) ++escapes;
        }
    }
    // The generator must actually exercise both outcomes, or the loop proves nothing.
    CHECK(successes > 1000);
    CHECK(escapes > 100);
}
