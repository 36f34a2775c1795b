// What an http::Connection holds while idle, and the in-memory body that leaves as the
// second span of the head's Output (no copy into the head's buffer).
#include <algorithm>
#include <string>

#include <catch2/catch.hpp>

#include "http/site/site_table.hpp"
#include "unit/http/connection_driver.hpp"
#include "unit/http/temp_root.hpp"

namespace {

// 10,000 bytes: inside the handler's memory cache (16 KiB) and past what is copied behind
// the head, so it is sent as the Output's tail.
const std::string cached_body = [] {
    std::string s(10000, '\0');
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>('a' + i % 26);
    return s;
}();

struct MemFixture {
    test::TempRoot tmp;
    http::SiteTable sites;
    http::ConnectionLimits limits;

    static http::StaticConfig make_config(const test::TempRoot& t) {
        t.file("root/a.txt", "alpha\n");
        t.file("root/mid.txt", cached_body);
        http::StaticConfig cfg;
        cfg.root = t.root();
        return cfg;
    }
    MemFixture() : sites(make_config(tmp)) {}
};

const std::string get_a =
    "GET /a.txt HTTP/1.1\r\nHost: x\r\nUser-Agent: a-long-user-agent/1.0\r\n\r\n";

}  // namespace

TEST_CASE("an idle connection fed by on_data holds no heap memory", "[connection][memory]") {
    MemFixture f;
    http::Connection c(f.sites, f.limits);
    CHECK(c.held_bytes() == 0);  // before the first byte
    // Whole, and split so that a partial head has to wait in the input buffer.
    for (const std::size_t step : {std::size_t{0}, std::size_t{7}}) {
        const auto t = test::run(c, get_a, step, false, 1 << 20, true);
        REQUIRE(t.output.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
        REQUIRE(c.phase() == http::Phase::idle);
        CHECK(c.held_bytes() == 0);
    }
    // Mid-request it does hold its state: the accessor is not always 0.
    c.on_data(std::as_bytes(std::span(get_a.data(), 10)));
    CHECK(c.held_bytes() >= sizeof(http::ExchangeState));
    // The connection itself stays small: the state of a request lives out of line.
    CHECK(sizeof(http::Connection) <= 256);
}

TEST_CASE("a connection receiving into read_space keeps one small input buffer",
          "[connection][memory]") {
    MemFixture f;
    http::Connection c(f.sites, f.limits);
    test::run(c, get_a + get_a);
    REQUIRE(c.phase() == http::Phase::idle);
    CHECK(c.held_bytes() <= 4096);  // the input buffer, reused by the next request
}

TEST_CASE("finished exchanges leave their state as a spare for the next connection",
          "[connection][memory]") {
    MemFixture f;
    {
        http::Connection c(f.sites, f.limits);
        test::run(c, get_a, 0, false, 1 << 20, true);
    }
    const std::size_t spares = http::spare_exchange_states();
    REQUIRE(spares >= 1);
    http::Connection c(f.sites, f.limits);
    c.on_data(std::as_bytes(std::span(get_a.data(), 10)));  // a head begins: takes a spare
    CHECK(http::spare_exchange_states() == spares - 1);
    std::string out;
    c.on_data(std::as_bytes(std::span(get_a.data() + 10, get_a.size() - 10)));
    test::drain(c, out);
    CHECK(out.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(http::spare_exchange_states() == spares);  // and gives it back
}

// A state whose parser saw a closing message, an error or a request cut short is reset and
// kept: a server taking Connection: close requests does not allocate one per connection.
TEST_CASE("exchanges that end the connection leave a spare too, and it parses afresh",
          "[connection][memory]") {
    MemFixture f;
    const std::string closing = "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    for (const std::string& last : {closing, std::string("BREW /a.txt HTTP/1.1\r\n\r\n"),
                                    std::string("GET /a.txt HTTP/1.1\r\nHost: x\r\nContent-Le"),
                                    std::string("CONNECT x:1 HTTP/1.1\r\nHost: x\r\n\r\n")}) {
        INFO(last);
        const std::size_t before = http::spare_exchange_states();
        {
            http::Connection c(f.sites, f.limits);
            const auto t = test::run(c, last);
        }
        // It took a spare (or made one when there was none) and gave it back.
        const std::size_t kept = std::max<std::size_t>(before, 1);
        REQUIRE(http::spare_exchange_states() == kept);
        http::Connection next(f.sites, f.limits);
        const auto t = test::run(next, get_a + get_a);
        CHECK(http::spare_exchange_states() == kept);
        CHECK(test::count(t.output, "HTTP/1.1 200 OK\r\n") == 2);
        CHECK_FALSE(t.closed);
    }
}

TEST_CASE("a cached body past the copy limit leaves as the head's tail", "[connection][memory]") {
    MemFixture f;
    test::RecordingSink sink;
    http::Connection c(f.sites, f.limits, &sink);
    const std::string req = "GET /mid.txt HTTP/1.1\r\nHost: x\r\n\r\n";
    c.on_data(std::as_bytes(std::span(req.data(), req.size())));
    const http::Output o = c.next_output();
    REQUIRE_FALSE(o.is_file());
    const std::string head(reinterpret_cast<const char*>(o.bytes.data()), o.bytes.size());
    CHECK(head.find("\r\nContent-Length: 10000\r\n") != std::string::npos);
    CHECK(head.size() < 1024);  // the body was not copied behind the head
    REQUIRE(o.tail.size() == cached_body.size());
    CHECK(std::string(reinterpret_cast<const char*>(o.tail.data()), o.tail.size()) == cached_body);
    CHECK_FALSE(o.more);
    std::string out;
    test::drain(c, out);
    CHECK(out == head + cached_body);
    CHECK(sink.rec.body_bytes == std::vector<std::uint64_t>{10000});
}

TEST_CASE("every write size across head and tail gives the same bytes", "[connection][memory]") {
    MemFixture f;
    const std::string req =
        "GET /mid.txt HTTP/1.1\r\nHost: x\r\n\r\n"
        "HEAD /mid.txt HTTP/1.1\r\nHost: x\r\n\r\n"
        "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n";
    http::Connection whole(f.sites, f.limits);
    const std::string expected = test::without_dates(test::run(whole, req).output);
    REQUIRE(test::count(expected, "HTTP/1.1 200 OK") == 3);
    for (const std::size_t step : {1, 7, 100, 250, 1000, 4096, 9999}) {
        test::RecordingSink sink;
        http::Connection c(f.sites, f.limits, &sink);
        const auto t = test::run(c, req, 0, false, step, true);
        CHECK(test::without_dates(t.output) == expected);
        CHECK(sink.rec.body_bytes == std::vector<std::uint64_t>{10000, 0, 6});
        CHECK(c.held_bytes() == 0);
    }
}
