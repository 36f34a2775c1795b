// The metrics page: its exposition text, and how a Connection answers it (no socket).
#include <cstring>
#include <filesystem>
#include <new>
#include <regex>

#include <catch2/catch.hpp>

#include "http/connection.hpp"
#include "server/obs/metrics.hpp"
#include "server/obs/scoreboard.hpp"

using namespace std::chrono_literals;

namespace {

// A private Stats, so counts from other tests in this process do not leak in.
struct LocalStats {
    server::Stats* s = new (::operator new(sizeof(server::Stats))) server::Stats{};
    ~LocalStats() { ::operator delete(s); }
};

std::string drain(http::Connection& c) {
    std::string out;
    for (http::Output o = c.next_output(); !o.empty(); o = c.next_output()) {
        REQUIRE_FALSE(o.is_file());
        out.append(reinterpret_cast<const char*>(o.bytes.data()), o.bytes.size());
        c.on_written(o.bytes.size());
    }
    return out;
}

std::string request(http::Connection& c, const std::string& text) {
    const auto space = c.read_space();
    REQUIRE(space.size() >= text.size());
    std::memcpy(space.data(), text.data(), text.size());
    c.on_read(text.size());
    return drain(c);
}

}  // namespace

TEST_CASE("the exposition: every family, cumulative buckets", "[metrics]") {
    LocalStats st;
    st.s->count_request(200, 100, 50us);
    st.s->count_request(200, 100, 2ms);
    st.s->count_request(404, 10, 2s);
    st.s->connections_total = 3;
    st.s->connections_active = 1;
    const auto start = std::chrono::steady_clock::now();
    std::string out;
    server::render_metrics(out, {*st.s, "epoll-et", start}, start + 1500ms);
    for (const char* line : {
             "polyhttpd_info{model=\"epoll-et\",version=\"0.1.0\"} 1\n",
             "polyhttpd_uptime_seconds 1.500\n",
             "polyhttpd_requests_total{class=\"2xx\"} 2\n",
             "polyhttpd_requests_total{class=\"4xx\"} 1\n",
             "polyhttpd_requests_total{class=\"5xx\"} 0\n",
             "polyhttpd_bytes_sent_total 210\n",
             "polyhttpd_connections_total 3\n",
             "polyhttpd_connections_active 1\n",
             "polyhttpd_request_duration_seconds_bucket{le=\"0.0001\"} 1\n",
             "polyhttpd_request_duration_seconds_bucket{le=\"0.001\"} 1\n",
             "polyhttpd_request_duration_seconds_bucket{le=\"0.0025\"} 2\n",
             "polyhttpd_request_duration_seconds_bucket{le=\"1\"} 2\n",
             "polyhttpd_request_duration_seconds_bucket{le=\"+Inf\"} 3\n",
             "polyhttpd_request_duration_seconds_sum 2.00205\n",
             "polyhttpd_request_duration_seconds_count 3\n",
             "# TYPE polyhttpd_requests_total counter\n",
             "# TYPE polyhttpd_request_duration_seconds histogram\n",
         }) {
        CAPTURE(line);
        CHECK(out.find(line) != std::string::npos);
    }
    // Every non-comment line is "name{labels} value".
    const std::regex sample_line(R"([a-z_]+(\{[a-z]+="[^"]*"(,[a-z]+="[^"]*")*\})? [0-9.e+-]+)");
    std::size_t pos = 0;
    for (std::size_t nl; (nl = out.find('\n', pos)) != std::string::npos; pos = nl + 1) {
        const std::string line = out.substr(pos, nl - pos);
        if (line.rfind("# ", 0) == 0) continue;
        CAPTURE(line);
        CHECK(std::regex_match(line, sample_line));
    }
}

TEST_CASE("a Connection answers the endpoint's path before the file system", "[metrics]") {
    LocalStats st;
    const server::MetricsEndpoint ep("/metrics", {*st.s, "loop", std::chrono::steady_clock::now()});
    http::StaticConfig sc;
    sc.root = std::filesystem::temp_directory_path().string();
    http::ConnectionLimits limits;
    limits.endpoint = &ep;
    {
        const http::SiteTable handler(sc);
        http::Connection c(handler, limits);
        const std::string get = request(c, "GET /metrics?x HTTP/1.1\r\nHost: a\r\n\r\n");
        CHECK(get.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
        CHECK(get.find("Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n") !=
              std::string::npos);
        CHECK(get.find("polyhttpd_info{model=\"loop\"") != std::string::npos);
        const std::string head = request(c, "HEAD /metrics HTTP/1.1\r\nHost: a\r\n\r\n");
        CHECK(head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
        CHECK(head.find("polyhttpd_info") == std::string::npos);
        const std::string other = request(c, "GET /metrics/x HTTP/1.1\r\nHost: a\r\n\r\n");
        CHECK(other.rfind("HTTP/1.1 404", 0) == 0);
    }
}

TEST_CASE("the TLS counters: handshakes, resumed, failures", "[metrics][tls]") {
    LocalStats st;
    st.s->tls.handshakes = 7;
    st.s->tls.resumed = 3;
    st.s->tls.handshake_failures = 2;
    std::string out;
    server::render_metrics(out, {*st.s, "prefork", std::chrono::steady_clock::now()});
    for (const char* family : {"polyhttpd_tls_handshakes_total", "polyhttpd_tls_resumed_total",
                               "polyhttpd_tls_handshake_failures_total"}) {
        CAPTURE(family);
        // HELP, then TYPE counter, then the sample, as every other family.
        const auto help = out.find(std::string("# HELP ") + family + " ");
        const auto type = out.find(std::string("# TYPE ") + family + " counter\n");
        REQUIRE(help != std::string::npos);
        REQUIRE(type != std::string::npos);
        CHECK(help < type);
        CHECK(out.find(std::string("\n") + family + " ", type) != std::string::npos);
    }
    CHECK(out.find("\npolyhttpd_tls_handshakes_total 7\n") != std::string::npos);
    CHECK(out.find("\npolyhttpd_tls_resumed_total 3\n") != std::string::npos);
    CHECK(out.find("\npolyhttpd_tls_handshake_failures_total 2\n") != std::string::npos);
    // Untouched counters are exported as 0, not left out: a scraper sees the family exists.
    LocalStats none;
    std::string zero;
    server::render_metrics(zero, {*none.s, "loop", std::chrono::steady_clock::now()});
    CHECK(zero.find("\npolyhttpd_tls_handshake_failures_total 0\n") != std::string::npos);
}

TEST_CASE("the exposition: prefork's workers by state and the scoreboard table", "[metrics]") {
    LocalStats st;
    std::string out;
    const auto start = std::chrono::steady_clock::now();
    server::render_metrics(out, {*st.s, "epoll-et", start}, start);
    CHECK(out.find("polyhttpd_workers") == std::string::npos);  // no pool, no family

    server::Scoreboard board(4);
    board.slot(*board.claim(0)).set(server::WorkerState::keepalive);
    board.slot(*board.claim(0)).set(server::WorkerState::idle);
    board.claim(0);
    st.s->scoreboard = &board;
    out.clear();
    server::render_metrics(out, {*st.s, "prefork", start}, start);
    INFO(out);
    for (const char* line :
         {"# TYPE polyhttpd_workers gauge\n", "polyhttpd_workers{state=\"idle\"} 1\n",
          "polyhttpd_workers{state=\"keepalive\"} 1\n", "polyhttpd_workers{state=\"starting\"} 1\n",
          "polyhttpd_workers{state=\"reading\"} 0\n", "# workers: K_S\n"})
        CHECK(out.find(line) != std::string::npos);
    CHECK(out.find("state=\"free\"") == std::string::npos);
    st.s->scoreboard = nullptr;
}
