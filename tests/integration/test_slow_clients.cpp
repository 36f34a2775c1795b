// Slow and stalling clients, for every model, against a server whose deadlines are cut to one
// second: a head trickled byte by byte (slowloris) gets 408 and a close at the header
// deadline, a body that stops arriving is cut off, a client that never reads is dropped at the
// send deadline, and none of them keeps another client waiting past that deadline.
// Waits are bounded generously; what passes or fails is what the server sent, not when.
#include <thread>

#include "suite.hpp"

using namespace itest;

namespace {

constexpr auto short_deadline = 1s;

std::vector<std::string> short_deadlines() {
    return {"--header-timeout", "1s", "--send-timeout", "1s"};
}

// One byte every 50 ms for up to 6 s (far past the deadline, which must bound the whole head
// and not each read), stopping once the server closes.
void slowloris(std::uint16_t port) {
    RawClient c(port);
    const std::string head = "GET /page.html HTTP/1.1\r\nHost: test\r\nX-Slow: ";
    bool closed = false;
    std::size_t sent = 0;
    for (; sent < 120 && !closed; ++sent) {
        if (!c.send(sent < head.size() ? head.substr(sent, 1) : std::string("a"))) break;
        closed = c.wait_closed(50ms);
    }
    INFO("bytes trickled: " << sent << "; " << c.error());
    CHECK(sent < 120);  // the server gave up first
    HttpResponse r;
    REQUIRE(c.read_response(r) == ReadResult::ok);
    CHECK(r.status == 408);
    CHECK(r.has_token("Connection", "close"));
    CHECK(c.wait_closed());
}

void stalled_body(std::uint16_t port) {
    RawClient c(port);
    REQUIRE(c.send(get_request("/page.html", "Content-Length: 100\r\n") + "ten bytes."));
    HttpResponse r;
    REQUIRE(c.read_response(r) == ReadResult::ok);  // answered at the head
    CHECK(r.status == 200);
    // The other 90 bytes never come: the body deadline closes the connection.
    INFO(c.error());
    CHECK(c.wait_closed(short_deadline + 4s));
    CHECK(c.pending().empty());
}

void trickled_body_keeps_connection(std::uint16_t port) {
    RawClient c(port);
    REQUIRE(c.send(get_request("/f10.txt", "Content-Length: 10\r\n")));
    REQUIRE(c.send_split("0123456789", 1, 20ms));
    HttpResponse first;
    REQUIRE(c.read_response(first) == ReadResult::ok);
    CHECK(first.body == WebRoot::numbered_body(10));
    const HttpResponse second = roundtrip(c, get_request("/f11.txt"));
    CHECK(second.body == WebRoot::numbered_body(11));
}

// Ten pipelined 1 MiB downloads into a 16 KiB receive buffer, never read: far more than the
// kernel's buffers hold, so the server must stall on send and drop the client at the deadline.
void never_reads(std::uint16_t port) {
    RawClient slow(port, ClientOptions{.rcvbuf = 16 * 1024});
    std::string requests;
    for (int i = 0; i < 10; ++i) requests += get_request("/big.bin");
    REQUIRE(slow.send(requests));
    // Meanwhile another client is served (by `loop` only once the stalled one is dropped).
    const HttpResponse other = fetch(port, get_request("/page.html"));
    CHECK(other.status == 200);
    std::this_thread::sleep_for(short_deadline + 1500ms);
    INFO(slow.error());
    CHECK(slow.wait_closed(10s));
    const std::size_t asked = 10 * WebRoot::big_size;
    INFO("received " << slow.pending().size() << " bytes of the " << asked << " asked for");
    CHECK(slow.pending().size() < asked);
}

}  // namespace

TEST_CASE("slow clients are cut off at their deadlines", "[integration][hostile][slow]") {
    MODEL_UNDER_TEST();
    const std::uint16_t port = shared_server(model, short_deadlines()).port();
    SECTION("slowloris: a head trickled byte by byte gets 408 and a close") { slowloris(port); }
    SECTION("a body that stops arriving: answered, then closed at the deadline") { stalled_body(port); }
    SECTION("a body trickled within the deadline keeps the connection usable") {
        trickled_body_keeps_connection(port);
    }
    SECTION("a client that never reads is dropped at the send deadline") { never_reads(port); }
    CLEAN_SHUTDOWN_SECTION(short_deadlines())
}
