// TlsStream against input a real client would not send, and at awkward moments: the first
// flight split at every byte offset and a whole exchange dribbled a byte at a time (both must
// still complete); garbage, plain HTTP, a truncated handshake, a stalled handshake, a truncated
// or corrupted record (all must end in want() == close, failures counted); and what an idle
// kept-alive stream holds in memory.
#include <malloc.h>
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
// The sanitizer runtimes export it; g++ ships no header that declares it.
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

#include <memory>
#include <random>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/ssl.h>

#include "server/tls/ticket_keys.hpp"
#include "server/tls/tls_context.hpp"
#include "server/tls/tls_stream.hpp"
#include "unit/http/connection_driver.hpp"
#include "unit/server/tls/tls_harness.hpp"

using namespace test::tls;  // the harness: Client, Fixture, fetch...

namespace {

// The client's first flight (its ClientHello), with the handshake under way.
std::string first_flight(Client& c) {
    REQUIRE(SSL_do_handshake(c.ssl.get()) == -1);
    return c.take_output();
}

// Sends what the stream has queued and checks that it then wants to close.
void ends_in_close(server::tls::TlsStream& s) {
    test::tls::drain(s);
    CHECK(s.want() == http::Want::close);
    CHECK(s.cipher_in_space().empty());
}

}  // namespace

TEST_CASE("the first flight split at every byte offset still completes", "[tls][split]") {
    Fixture f;
    ClientOptions o;
    o.min_version = o.max_version = GENERATE(TLS1_3_VERSION, TLS1_2_VERSION);
    std::size_t length = 0;
    int done = 0;
    for (std::size_t k = 1; length == 0 || k < length; ++k) {
        Client c(o);
        const std::string flight = first_flight(c);
        length = flight.size();
        ServerConn s = f.server();
        REQUIRE(test::tls::feed(s.stream, std::string_view(flight).substr(0, k)) == k);
        REQUIRE(s.stream.cipher_out().empty());  // nothing to say before the whole hello
        REQUIRE(test::tls::feed(s.stream, std::string_view(flight).substr(k)) == length - k);
        const auto r = test::tls::fetch(c, s.stream, get_hello);
        INFO("split at " << k << " of " << length);
        REQUIRE(test::tls::body_of(r.response) == "hello over tls\n");
        ++done;
    }
    CHECK(done == static_cast<int>(length) - 1);
    CHECK(length > 100);
    CHECK(f.counters.handshake_failures == 0);
}

TEST_CASE("a whole exchange dribbled one byte at a time both ways", "[tls][split]") {
    Fixture f;
    ClientOptions o;
    o.min_version = o.max_version = GENERATE(TLS1_3_VERSION, TLS1_2_VERSION);
    Client c(o);
    ServerConn s = f.server();
    const auto r = test::tls::fetch(
        c, s.stream, "GET /big.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", 1);
    CHECK(test::tls::body_of(r.response) == f.site.big);
    CHECK(r.close_notify);
}

TEST_CASE("garbage ends in close, counted", "[tls][hostile]") {
    Fixture f;
    std::mt19937 rng(15);
    std::string junk(2000, '\0');
    for (char& ch : junk) ch = static_cast<char>(rng());
    const std::string tls_header("\x16\x03\x01\x02\x00", 5);  // a handshake record, 512 bytes
    const std::string input =
        GENERATE_COPY(std::string(junk), std::string("\0\0\0\0", 4) + junk, tls_header + junk,
                      std::string("\x80\x2e\x01", 3) + junk);
    ServerConn s = f.server();
    test::tls::feed(s.stream, input);
    ends_in_close(s.stream);
    CHECK(f.counters.handshake_failures == 1);
    CHECK_FALSE(s.stream.handshake_done());
}

TEST_CASE("plain HTTP on the TLS port gets a plaintext 400, then the close", "[tls][hostile]") {
    Fixture f;
    ServerConn s = f.server();
    test::tls::feed(s.stream, "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n");
    CHECK(s.stream.want() == http::Want::write);
    CHECK(s.stream.wants_linger());  // the request is unread: linger, or the 400 is reset away
    const std::string out = test::tls::drain(s.stream);
    CHECK(out.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0);
    CHECK(out.find("This is a TLS port") != std::string::npos);
    CHECK(test::tls::body_of(out).size() == 46);  // as its Content-Length says
    CHECK(s.stream.want() == http::Want::close);
    CHECK(f.counters.handshake_failures == 1);
}

TEST_CASE("a truncated or stalled handshake ends in close", "[tls][hostile]") {
    Fixture f;
    Client c(ClientOptions{});
    const std::string flight = first_flight(c);
    ServerConn s = f.server();
    test::tls::feed(s.stream, std::string_view(flight).substr(0, flight.size() / 2));
    CHECK(s.stream.want() == http::Want::read);
    CHECK(s.stream.phase() == http::Phase::head);
    SECTION("the peer closes") { s.stream.on_cipher_in(0); }
    SECTION("the header deadline passes") { s.stream.on_timeout(); }
    ends_in_close(s.stream);
    CHECK(f.counters.handshake_failures == 1);
}

TEST_CASE("a peer that closes before its first byte is not a failure", "[tls][hostile]") {
    Fixture f;
    ServerConn s = f.server();
    s.stream.on_cipher_in(0);
    ends_in_close(s.stream);
    CHECK(f.counters.handshake_failures == 0);
}

TEST_CASE("a truncated or corrupted record after the handshake ends in close", "[tls][hostile]") {
    Fixture f;
    Client c(ClientOptions{});
    ServerConn s = f.server();
    REQUIRE(test::tls::fetch(c, s.stream, "").handshake);
    std::size_t n = 0;
    REQUIRE(SSL_write_ex(c.ssl.get(), get_hello.data(), get_hello.size(), &n) == 1);
    std::string record = c.take_output();
    SECTION("truncated, then EOF") {
        test::tls::feed(s.stream, std::string_view(record).substr(0, record.size() / 2));
        s.stream.on_cipher_in(0);
    }
    SECTION("a flipped byte") {
        record[record.size() - 3] = static_cast<char>(record[record.size() - 3] ^ 0x40);
        test::tls::feed(s.stream, record);
    }
    const std::string out = test::tls::drain(s.stream);
    CHECK(s.stream.want() == http::Want::close);
    CHECK(out.find("HTTP/1.1") == std::string::npos);  // nothing answered in the clear
    CHECK(f.counters.handshake_failures == 0);         // the handshake itself succeeded
}

TEST_CASE("graceful stop and an idle timeout send close_notify", "[tls][stream]") {
    Fixture f;
    Client c(ClientOptions{});
    ServerConn s = f.server();
    REQUIRE(test::tls::body_of(test::tls::fetch(c, s.stream, get_hello).response) ==
            "hello over tls\n");
    SECTION("stop") { s.stream.shutdown(); }
    SECTION("timeout") {
        CHECK(s.stream.phase() == http::Phase::idle);
        s.stream.on_timeout();
    }
    CHECK(s.stream.want() == http::Want::write);
    CHECK(test::tls::fetch(c, s.stream, "").close_notify);
    CHECK(s.stream.want() == http::Want::close);
}

TEST_CASE("retired before its handshake, a stream still answers its first request",
          "[tls][stream]") {
    // A prefork worker told to leave right after accepting: the client must not be lost.
    Fixture f;
    Client c(ClientOptions{});
    ServerConn s = f.server();
    s.stream.retire();
    CHECK(s.stream.want() == http::Want::read);
    const test::tls::Result r = test::tls::fetch(c, s.stream, get_hello);
    REQUIRE(r.handshake);
    CHECK(test::tls::body_of(r.response) == "hello over tls\n");
    CHECK(r.response.find("Connection: close\r\n") != std::string::npos);
    CHECK(r.close_notify);
    CHECK(s.stream.want() == http::Want::close);
}

TEST_CASE("an idle kept-alive stream holds no buffers", "[tls][memory]") {
    Fixture f;
    Client c(ClientOptions{});
    auto s = std::make_unique<ServerConn>(f.site, f.ctx, f.counters);
    REQUIRE(test::tls::fetch(c, s->stream, get_hello).response.find("200 OK") != std::string::npos);
    REQUIRE(test::tls::body_of(test::tls::fetch(c, s->stream, get_hello).response) ==
            "hello over tls\n");
    CHECK(s->stream.phase() == http::Phase::idle);
    CHECK(s->stream.buffer_bytes() == 0);

    // The heap an idle connection holds: what freeing it gives back. A plain Connection, idle
    // after one request, for comparison.
    // Under a sanitizer malloc is the sanitizer's, which mallinfo2() does not see: ask it.
    const auto heap = []() -> std::size_t {
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
        return __sanitizer_get_current_allocated_bytes();
#else
        return mallinfo2().uordblks;
#endif
    };
    const std::size_t with_tls = heap();
    s.reset();
    const std::size_t tls_idle = with_tls - heap();
    auto plain = std::make_unique<http::Connection>(f.site.handler, f.site.limits);
    test::run(*plain, get_hello);
    const std::size_t with_plain = heap();
    plain.reset();
    const std::size_t plain_idle = with_plain - heap();
    WARN("idle kept-alive connection: plain " << plain_idle << " B, TLS " << tls_idle << " B");
    CHECK(tls_idle > plain_idle);
    CHECK(tls_idle < plain_idle + 16 * 1024);  // the BIO pair alone would be 21 KiB
}
