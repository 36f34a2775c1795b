// valid_host: the uri-host [":" port] grammar of RFC 3986 §3.2.2-3.2.3 that a Host field
// value and an absolute-form target's authority must match (RFC 9112 §3.2).
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "http/fields/host.hpp"

TEST_CASE("host: values a client may send are accepted", "[host]") {
    for (const std::string_view v : {
             "example.com",
             "example.com:8080",
             "127.0.0.1",
             "127.0.0.1:80",
             "[::1]",
             "[::1]:80",
             "[2001:db8::7]:8443",
             "[::ffff:192.0.2.1]",
             "xn--bcher-kva.example",
             "localhost",
             "EXAMPLE.COM",
             "a_b~c-d",
             "%41%62c",        // reg-name: unreserved, pct-encoded
             "a!$&'()*+,;=b",  // reg-name: sub-delims
             "[v1.fe80::a+b]",
             "[V7.x]:1",  // IPvFuture
             "host:",     // empty port: port = *DIGIT
             "h:0080",
             "999.1.1.1",
             "a..b",  // grammar only: the server uses no host
         }) {
        INFO(v);
        CHECK(http::valid_host(v));
    }
}

TEST_CASE("host: values outside the grammar are refused", "[host]") {
    for (const std::string_view v : {
             "###",          "a b",     "a/b@c",     "user@host",     "[::1",  "::1",
             "[::1]x",       "[::1]:x", "[]",
             "[::1%25eth0]",  // zone identifiers are not part of RFC 9110's http URI
             "[v1.]",        "[vz.a]",  "[1.2.3.4]", "localhost:abc", "x:1:2", "host: 80",
             ":80",          ":",       "%4",        "%zz",           "a%",    "a\tb",
             "a\\b",         "a?b",     "a#b",       "a\"b",
         }) {
        INFO(v);
        CHECK_FALSE(http::valid_host(v));
    }
    CHECK_FALSE(http::valid_host(std::string_view("a\0b", 3)));
    CHECK_FALSE(http::valid_host("\xff"));
    CHECK_FALSE(
        http::valid_host("b\xc3\xbc"
                         "cher.example"));  // IDNs travel as A-labels
    CHECK_FALSE(http::valid_host(""));      // the parser lets an empty field value through itself
    CHECK_FALSE(http::valid_host("[" + std::string(100, ':') + "]"));
}
