// Connection management, for every model: keep-alive, HTTP/1.0, Connection: close,
// pipelining, half-close, idle and header timeouts, slow clients.
#include <thread>

#include "suite.hpp"

using namespace itest;
using Clock = std::chrono::steady_clock;

namespace {

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

void keep_alive_three(std::uint16_t port) {
    RawClient c(port);
    for (int i = 0; i < 3; ++i) {
        const HttpResponse r = roundtrip(c, get_request(WebRoot::numbered_path(i)));
        CHECK(r.status == 200);
        CHECK(r.body == WebRoot::numbered_body(i));
        CHECK_FALSE(r.has_token("Connection", "close"));
    }
    CHECK_FALSE(c.peer_closed());
}

void http10_closes(std::uint16_t port) {
    RawClient c(port);
    const HttpResponse r = roundtrip(c, "GET /page.html HTTP/1.0\r\n\r\n");
    CHECK(r.status == 200);
    CHECK(r.body == web_root().page_body);
    CHECK_FALSE(r.has_token("Connection", "keep-alive"));
    INFO(c.error());
    CHECK(c.wait_closed());
}

void http10_keep_alive(std::uint16_t port) {
    RawClient c(port);
    const std::string req = "GET /f02.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n";
    const HttpResponse a = roundtrip(c, req);
    CHECK(a.status == 200);
    CHECK(a.version_minor == 1);  // a server answers with its own version (RFC 9110 §6.2)
    CHECK(a.has_token("Connection", "keep-alive"));
    const HttpResponse b = roundtrip(c, req);
    CHECK(b.status == 200);
    CHECK(b.body == WebRoot::numbered_body(2));
}

void connection_close(std::uint16_t port) {
    RawClient c(port);
    // The second request rides in the same write: it must not be answered.
    const HttpResponse r =
        roundtrip(c, get_request("/page.html", "Connection: close\r\n") + get_request("/f03.txt"));
    CHECK(r.status == 200);
    CHECK(r.body == web_root().page_body);
    CHECK(r.has_token("Connection", "close"));
    INFO(c.error());
    CHECK(c.wait_closed());
    INFO("bytes after the response: " << c.pending().substr(0, 200));
    CHECK(c.pending().empty());
}

void pipelining(std::uint16_t port) {
    RawClient c(port);
    std::string all;
    for (int i = 0; i < WebRoot::numbered_files; ++i) all += get_request(WebRoot::numbered_path(i));
    REQUIRE(c.send(all));
    for (int i = 0; i < WebRoot::numbered_files; ++i) {
        INFO("response #" << i);
        HttpResponse r;
        const ReadResult res = c.read_response(r);
        INFO(to_string(res) << ": " << c.error());
        REQUIRE(res == ReadResult::ok);
        CHECK(r.status == 200);
        CHECK(r.body == WebRoot::numbered_body(i));
    }
    CHECK(c.pending().empty());
}

void pipelined_bodyless(std::uint16_t port) {
    RawClient c(port);
    const HttpResponse g = roundtrip(c, get_request("/f04.txt"));
    REQUIRE(g.status == 200);
    const std::string inm = "If-None-Match: " + g.get("ETag") + "\r\n";
    REQUIRE(c.send(make_request("HEAD", "/big.bin") + get_request("/f04.txt", inm) +
                   get_request("/f05.txt")));
    HttpResponse h, n, f;
    REQUIRE(c.read_response(h, true) == ReadResult::ok);
    REQUIRE(c.read_response(n) == ReadResult::ok);
    REQUIRE(c.read_response(f) == ReadResult::ok);
    CHECK(h.status == 200);
    CHECK(h.get("Content-Length") == std::to_string(WebRoot::big_size));
    CHECK(n.status == 304);
    CHECK(f.status == 200);
    CHECK(f.body == WebRoot::numbered_body(5));
}

void request_then_fin(std::uint16_t port) {
    RawClient c(port);
    REQUIRE(c.send(get_request("/page.html")));
    c.shutdown_write();
    HttpResponse r;
    const ReadResult res = c.read_response(r);
    INFO(to_string(res) << ": " << c.error());
    REQUIRE(res == ReadResult::ok);
    CHECK(r.status == 200);
    CHECK(r.body == web_root().page_body);
    CHECK(c.wait_closed());
}

void idle_keep_alive_timeout(std::uint16_t port) {
    RawClient c(port);
    CHECK(roundtrip(c, get_request("/f06.txt")).status == 200);
    const auto t0 = Clock::now();
    INFO(c.error());
    CHECK(c.wait_closed(keepalive_timeout + 3s));
    const double waited = seconds_since(t0);
    INFO("closed after " << waited << " s; keep-alive timeout " << keepalive_timeout.count() << " s");
    CHECK(waited > 1.0);
    CHECK(c.pending().empty());
}

void partial_head_408(std::uint16_t port) {
    RawClient c(port);
    REQUIRE(c.send("GET /page.html HTTP/1.1\r\nHost: test\r\n"));
    const auto t0 = Clock::now();
    HttpResponse r;
    const ReadResult res = c.read_response(r, false, header_timeout + 3s);
    const double waited = seconds_since(t0);
    INFO(to_string(res) << ": " << c.error() << "; after " << waited << " s");
    REQUIRE(res == ReadResult::ok);
    CHECK(r.status == 408);
    CHECK(r.has_token("Connection", "close"));
    CHECK(waited > 1.0);
    CHECK(c.wait_closed());
}

void silent_client_closed(std::uint16_t port) {
    RawClient c(port);
    const auto t0 = Clock::now();
    INFO(c.error());
    CHECK(c.wait_closed(header_timeout + 3s));
    INFO("closed after " << seconds_since(t0) << " s");
    CHECK(seconds_since(t0) > 1.0);
    // Nothing was started, so there is nothing to answer; a 408 is tolerated.
    const std::string& got = c.pending();
    INFO("bytes received: " << got.substr(0, 200));
    CHECK((got.empty() || got.rfind("HTTP/1.1 408 ", 0) == 0));
}

void byte_at_a_time(std::uint16_t port) {
    RawClient c(port);
    // 40 bytes x 15 ms: well inside the 2 s header timeout, which bounds the whole head.
    REQUIRE(c.send_split(get_request("/page.html"), 1, 15ms));
    HttpResponse r;
    const ReadResult res = c.read_response(r);
    INFO(to_string(res) << ": " << c.error());
    REQUIRE(res == ReadResult::ok);
    CHECK(r.status == 200);
    CHECK(r.body == web_root().page_body);
}

}  // namespace

TEST_CASE("connections: keep-alive, pipelining, close, timeouts", "[integration][connection]") {
    MODEL_UNDER_TEST();
    const std::uint16_t port = shared_server(model).port();

    SECTION("keep-alive: three requests on one connection") { keep_alive_three(port); }
    SECTION("HTTP/1.0 without keep-alive: closed after the response") { http10_closes(port); }
    SECTION("HTTP/1.0 with Connection: keep-alive stays open") { http10_keep_alive(port); }
    SECTION("Connection: close is honoured; a request after it is not answered") { connection_close(port); }
    SECTION("20 pipelined requests in one write: 20 responses in order") { pipelining(port); }
    SECTION("pipelined HEAD, 304 and GET keep their framing") { pipelined_bodyless(port); }
    SECTION("a request followed at once by FIN is still answered") { request_then_fin(port); }
    SECTION("an idle keep-alive connection is closed after the keep-alive timeout") { idle_keep_alive_timeout(port); }
    SECTION("a partial head gets 408 after the header timeout, then close") { partial_head_408(port); }
    SECTION("a connection that sends nothing is closed after the header timeout") { silent_client_closed(port); }
    SECTION("a head sent one byte at a time (within the header timeout) is served") { byte_at_a_time(port); }
    CLEAN_SHUTDOWN_SECTION()
}
