// http::Connection under --redirect-https and --hsts: what the transport (plain or TLS)
// changes in the answers. Driven with no socket, like test_connection.cpp.
#include <string>

#include <catch2/catch.hpp>

#include "http/endpoint.hpp"
#include "http/site/site_table.hpp"
#include "unit/http/connection_driver.hpp"
#include "unit/http/temp_root.hpp"

using http::Transport;

namespace {

class Metrics final : public http::DynamicEndpoint {
public:
    [[nodiscard]] std::string_view path() const noexcept override { return "/metrics"; }
    void render(std::string& body, std::string_view& type) const override {
        body = "up 1\n";
        type = "text/plain";
    }
};

struct Fixture {
    test::TempRoot tmp;
    http::SiteTable handler;
    http::ConnectionLimits limits;
    Metrics metrics;

    static http::StaticConfig make_config(const test::TempRoot& t) {
        t.file("root/a.txt", "alpha\n");
        http::StaticConfig cfg;
        cfg.root = t.root();
        return cfg;
    }
    Fixture() : handler(make_config(tmp)) {
        limits.redirect_https = true;
        limits.https_port = 8443;
        limits.hsts_max_age = 31536000;
        limits.endpoint = &metrics;
    }
    test::Transcript run(Transport t, std::string_view input, std::size_t step = 0) {
        http::Connection c(handler, limits, nullptr, t);
        return test::run(c, input, step);
    }
};

std::string field(const std::string& out, std::string_view name) {
    const std::string key = "\r\n" + std::string(name) + ": ";
    const auto at = out.find(key);
    if (at == std::string::npos) return "(absent)";
    const auto start = at + key.size();
    return out.substr(start, out.find("\r\n", start) - start);
}

std::string body(const std::string& out) { return out.substr(out.find("\r\n\r\n") + 4); }

std::string get(std::string_view target, std::string_view host) {
    return "GET " + std::string(target) + " HTTP/1.1\r\nHost: " + std::string(host) + "\r\n\r\n";
}

}  // namespace

TEST_CASE("plain + redirect-https: 308 to the https URL, keep-alive", "[connection][https]") {
    Fixture f;
    const auto t = f.run(Transport::plain, get("/a.txt?x=1", "example.com:8080"));
    CHECK(t.output.rfind("HTTP/1.1 308 Permanent Redirect\r\n", 0) == 0);
    CHECK(field(t.output, "Location") == "https://example.com:8443/a.txt?x=1");
    CHECK(field(t.output, "Content-Type") == "text/plain; charset=utf-8");
    CHECK(body(t.output) == "Moved to https://example.com:8443/a.txt?x=1\n");
    CHECK(field(t.output, "Content-Length") == std::to_string(body(t.output).size()));
    CHECK(field(t.output, "Strict-Transport-Security") == "(absent)");  // never on plain
    CHECK_FALSE(t.closed);
}

TEST_CASE("redirect targets as the parser hands them over", "[connection][https]") {
    Fixture f;
    const auto loc = [&](std::string_view target, std::string_view host) {
        return field(f.run(Transport::plain, get(target, host)).output, "Location");
    };
    CHECK(loc("http://other.example:8080/p%20q?x=%41", "ignored") ==
          "https://other.example:8443/p%20q?x=%41");
    CHECK(loc("/x", "[::1]:8080") == "https://[::1]:8443/x");
    CHECK(loc("/search?q=a?b&c=%3F", "h") == "https://h:8443/search?q=a?b&c=%3F");
    CHECK(loc("/%7Euser/%2e%2e/a%2Fb", "h") == "https://h:8443/%7Euser/%2e%2e/a%2Fb");
    CHECK(loc("/metrics", "h") == "https://h:8443/metrics");  // the endpoint as well
    f.limits.https_port = 443;
    CHECK(loc("/x", "h:80") == "https://h/x");
}

TEST_CASE("redirect: HEAD gets the head only; POST keeps its 308", "[connection][https]") {
    Fixture f;
    const auto head = f.run(Transport::plain, "HEAD /a HTTP/1.1\r\nHost: h\r\n\r\n");
    CHECK(head.output.rfind("HTTP/1.1 308 ", 0) == 0);
    const std::string get_body = "Moved to https://h:8443/a\n";  // what GET would send
    CHECK(field(head.output, "Content-Length") == std::to_string(get_body.size()));
    CHECK(body(head.output).empty());
    const auto post =
        f.run(Transport::plain, "POST /f HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nabc");
    CHECK(post.output.rfind("HTTP/1.1 308 ", 0) == 0);
    CHECK(field(post.output, "Location") == "https://h:8443/f");
    CHECK_FALSE(post.closed);  // the body was read and discarded
}

TEST_CASE("redirect: pipelined requests, any split, in order", "[connection][https]") {
    Fixture f;
    const std::string input = get("/1", "a") + "HEAD /2 HTTP/1.1\r\nHost: b:1\r\n\r\n" +
                              "POST /3 HTTP/1.1\r\nHost: c\r\nContent-Length: 2\r\n\r\nxy" +
                              "OPTIONS * HTTP/1.1\r\nHost: d\r\n\r\n" + get("/5?q", "[::1]:9");
    const auto whole = f.run(Transport::plain, input);
    CHECK(test::count(whole.output, "HTTP/1.1 308 ") == 4);
    CHECK(test::count(whole.output, "HTTP/1.1 204 ") == 1);  // OPTIONS * names no resource
    const auto first = whole.output.find("https://a:8443/1");
    const auto second = whole.output.find("https://b:8443/2");
    const auto third = whole.output.find("https://c:8443/3");
    const auto fifth = whole.output.find("https://[::1]:8443/5?q");
    CHECK(first < second);
    CHECK(second < third);
    CHECK(third < fifth);
    CHECK(fifth != std::string::npos);
    for (std::size_t step = 1; step < input.size(); step += 3) {
        INFO("step " << step);
        CHECK(test::without_dates(f.run(Transport::plain, input, step).output) ==
              test::without_dates(whole.output));
    }
}

TEST_CASE("redirect: no host is 400, framing errors stay errors", "[connection][https]") {
    Fixture f;
    const auto no_host = f.run(Transport::plain, "GET /a HTTP/1.0\r\n\r\n");
    CHECK(no_host.output.rfind("HTTP/1.1 400 ", 0) == 0);
    CHECK(field(no_host.output, "Location") == "(absent)");
    const auto with_host = f.run(Transport::plain, "GET /a HTTP/1.0\r\nHost: h\r\n\r\n");
    CHECK(field(with_host.output, "Location") == "https://h:8443/a");
    for (const char* bad : {"GET /a HTTP/1.1\r\n\r\n",
                            "GET /a HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: "
                            "2\r\n\r\n",
                            "GET /a HTTP/1.1\r\nHost: a@b\r\n\r\n"}) {
        INFO(bad);
        const auto t = f.run(Transport::plain, bad);
        CHECK(t.output.rfind("HTTP/1.1 400 ", 0) == 0);
        CHECK(field(t.output, "Location") == "(absent)");
        CHECK(t.closed);
    }
    const auto connect = f.run(Transport::plain, "CONNECT h:443 HTTP/1.1\r\nHost: h\r\n\r\n");
    CHECK(connect.output.rfind("HTTP/1.1 405 ", 0) == 0);
}

TEST_CASE("TLS connections are served, not redirected", "[connection][https]") {
    Fixture f;
    const auto t = f.run(Transport::tls, get("/a.txt", "h") + get("/metrics", "h"));
    CHECK(t.output.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(t.output.find("alpha\n") != std::string::npos);
    CHECK(t.output.find("up 1\n") != std::string::npos);
    CHECK(t.output.find("Location") == std::string::npos);
    f.limits.redirect_https = false;  // and plain serves as before without the option
    const auto plain = f.run(Transport::plain, get("/a.txt", "h"));
    CHECK(plain.output.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(field(plain.output, "Strict-Transport-Security") == "(absent)");
}

TEST_CASE("HSTS on every TLS response, never on plain ones", "[connection][https]") {
    Fixture f;
    f.limits.redirect_https = false;
    const char* hsts = "max-age=31536000";
    const std::string requests[] = {
        get("/a.txt", "h"),                                            // 200
        "GET /a.txt HTTP/1.1\r\nHost: h\r\nIf-None-Match: *\r\n\r\n",  // 304
        get("/missing", "h"),                                          // 404
        "GET /a.txt HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\r\n\r\n",  // 206
        "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n",                       // 204
        "GET /a HTTP/1.1\r\nHost: h\r\nHost: h\r\n\r\n",               // 400
    };
    const int statuses[] = {200, 304, 404, 206, 204, 400};
    for (std::size_t i = 0; i < std::size(requests); ++i) {
        INFO(requests[i]);
        const auto tls = f.run(Transport::tls, requests[i]);
        CHECK(tls.output.rfind("HTTP/1.1 " + std::to_string(statuses[i]) + " ", 0) == 0);
        CHECK(field(tls.output, "Strict-Transport-Security") == hsts);
        CHECK(test::count(tls.output, "Strict-Transport-Security") == 1);
        const auto plain = f.run(Transport::plain, requests[i]);
        CHECK(plain.output.find("Strict-Transport-Security") == std::string::npos);
    }
    f.limits.hsts_max_age = 0;
    CHECK(f.run(Transport::tls, get("/a.txt", "h")).output.find("Strict-Transport") ==
          std::string::npos);
}
