// https_location / make_https_redirect: the URL a plain request is redirected to, composed
// from requests built by hand (the connection tests send the same through the parser).
#include <string>

#include <catch2/catch.hpp>

#include "http/proto/https_redirect.hpp"

using http::HttpsRedirect;

namespace {

http::Request request(std::string target, std::string host) {
    http::Request r;
    r.target = std::move(target);
    r.host = std::move(host);
    r.host_count = r.host.empty() ? 0 : 1;
    return r;
}

std::string location(const std::string& target, const std::string& host,
                     std::uint16_t port = 8443) {
    std::string out = "unchanged";
    const auto r = http::https_location(request(target, host), port, out);
    if (r != HttpsRedirect::redirected) CHECK(out.empty());
    return r == HttpsRedirect::redirected ? out : "(none)";
}

}  // namespace

TEST_CASE("https_location: host without its port, the TLS port, the target as sent",
          "[https_redirect]") {
    CHECK(location("/", "example.com") == "https://example.com:8443/");
    CHECK(location("/a/b.html", "example.com:8080") == "https://example.com:8443/a/b.html");
    CHECK(location("/a", "example.com:") == "https://example.com:8443/a");
    CHECK(location("/x", "[::1]:8080") == "https://[::1]:8443/x");
    CHECK(location("/x", "[2001:db8::1]") == "https://[2001:db8::1]:8443/x");
    CHECK(location("/x", "192.0.2.7:80") == "https://192.0.2.7:8443/x");
    // Host case is kept: it is the client's spelling, and case-insensitive anyway.
    CHECK(location("/x", "Example.COM") == "https://Example.COM:8443/x");
}

TEST_CASE("https_location: port 443 is left out", "[https_redirect]") {
    CHECK(location("/a?b", "example.com:80", 443) == "https://example.com/a?b");
    CHECK(location("/a", "[::1]", 443) == "https://[::1]/a");
    CHECK(location("/a", "h", 1) == "https://h:1/a");
    CHECK(location("/a", "h", 65535) == "https://h:65535/a");
}

TEST_CASE("https_location: path and query kept byte for byte", "[https_redirect]") {
    CHECK(location("/a%20b/%2e%2E/c?q=%2F&r=1?2", "h") ==
          "https://h:8443/a%20b/%2e%2E/c?q=%2F&r=1?2");
    CHECK(location("/../etc/./x//y", "h") == "https://h:8443/../etc/./x//y");
    CHECK(location("/?", "h") == "https://h:8443/?");
    CHECK(location("/a?b#frag", "h") == "https://h:8443/a?b");
    CHECK(location("/a#f?x", "h") == "https://h:8443/a");
}

TEST_CASE("https_location: bytes unsafe in a field value are escaped", "[https_redirect]") {
    CHECK(location(std::string("/a\r\nSet-Cookie: x", 17), "h") ==
          "https://h:8443/a%0D%0ASet-Cookie:%20x");
    CHECK(location("/caf\xc3\xa9\x7f", "h") == "https://h:8443/caf%C3%A9%7F");
}

TEST_CASE("https_location: absolute form names the host, Host is ignored", "[https_redirect]") {
    CHECK(location("http://target.example:8080/p?q", "host.example") ==
          "https://target.example:8443/p?q");
    CHECK(location("HTTP://t/p", "h") == "https://t:8443/p");
    CHECK(location("http://t", "h") == "https://t:8443/");
    CHECK(location("http://t?q=1", "h") == "https://t:8443/?q=1");
    CHECK(location("https://[::1]:80/x", "") == "https://[::1]:8443/x");
}

TEST_CASE("https_location: no host, or no resource", "[https_redirect]") {
    std::string out;
    CHECK(http::https_location(request("/a", ""), 443, out) == HttpsRedirect::no_host);
    CHECK(http::https_location(request("*", "h"), 443, out) == HttpsRedirect::not_a_resource);
    CHECK(http::https_location(request("h:443", "h"), 443, out) == HttpsRedirect::not_a_resource);
    CHECK(out.empty());
}

TEST_CASE("make_https_redirect: 308 with Location and a body naming it", "[https_redirect]") {
    http::Response res;
    res.close = true;  // decided before: survives
    res.add_text("stale");
    REQUIRE(make_https_redirect(request("/a?b", "h:80"), 443, res) == HttpsRedirect::redirected);
    CHECK(res.status == 308);
    CHECK(res.location == "https://h/a?b");
    CHECK(res.content_type == "text/plain; charset=utf-8");
    CHECK(res.close);
    std::string body;
    for (const auto& p : res.pieces) body.append(res.text, p.offset, p.length);
    CHECK(body == "Moved to https://h/a?b\n");
    CHECK(res.body_length() == body.size());
    CHECK(http::reason_phrase(308) == "Permanent Redirect");
}

TEST_CASE("make_https_redirect: 400 without a host, nothing for OPTIONS *", "[https_redirect]") {
    http::Response res;
    CHECK(make_https_redirect(request("/a", ""), 443, res) == HttpsRedirect::no_host);
    CHECK(res.status == 400);
    CHECK(res.location.empty());
    http::Response untouched;
    untouched.status = 204;
    CHECK(make_https_redirect(request("*", "h"), 443, untouched) == HttpsRedirect::not_a_resource);
    CHECK(untouched.status == 204);
}
