// TlsStream over an http::Connection, against a client SSL, with no socket: GETs over TLS 1.3
// and 1.2, close_notify, a large file body, pipelining and a range, TLS 1.1 and h2-only ALPN
// refused, SNI. (Resumption: test_tls_resume.cpp; hostile input: test_tls_hostile.cpp.)
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "server/tls/ticket_keys.hpp"
#include "server/tls/tls_context.hpp"
#include "server/tls/tls_stream.hpp"
#include "unit/server/tls/tls_harness.hpp"

using namespace test::tls;  // the harness: Client, Fixture, fetch...

namespace {

constexpr std::string_view get_hello_close =
    "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

std::string peer_cn(SSL* ssl) {
    X509* cert = SSL_get0_peer_certificate(ssl);
    if (cert == nullptr) return "<none>";
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert), NID_commonName, cn, sizeof cn);
    return cn;
}

std::string alpn_of(SSL* ssl) {
    const unsigned char* p = nullptr;
    unsigned n = 0;
    SSL_get0_alpn_selected(ssl, &p, &n);
    return std::string(reinterpret_cast<const char*>(p), n);
}

}  // namespace

TEST_CASE("a GET over TLS 1.3 and over TLS 1.2 answers 200 with the file", "[tls][stream]") {
    Fixture f;
    const int version = GENERATE(TLS1_3_VERSION, TLS1_2_VERSION);
    ClientOptions o;
    o.min_version = o.max_version = version;
    o.trust = f.pki.root();
    Client c(o);
    ServerConn s = f.server();
    CHECK(s.stream.want() == http::Want::read);
    CHECK(s.stream.phase() == http::Phase::head);  // the handshake runs on the header deadline
    const auto r = test::tls::fetch(c, s.stream, get_hello);
    REQUIRE(r.handshake);
    CHECK(SSL_version(c.ssl.get()) == version);
    CHECK(SSL_get_verify_result(c.ssl.get()) == X509_V_OK);  // the chain file's intermediate
    CHECK(alpn_of(c.ssl.get()) == "http/1.1");
    CHECK(r.response.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(test::tls::body_of(r.response) == "hello over tls\n");
    CHECK(s.stream.handshake_done());
    CHECK(s.stream.want() == http::Want::read);  // kept alive
    CHECK(s.stream.phase() == http::Phase::idle);
    CHECK(f.counters.handshakes == 1);
    CHECK(f.counters.handshake_failures == 0);
    if (version == TLS1_2_VERSION) {  // one of the intermediate profile's ECDHE AEAD suites
        const std::string suite = SSL_get_cipher_name(c.ssl.get());
        CHECK(suite.rfind("ECDHE-ECDSA-", 0) == 0);
    }
}

TEST_CASE("Connection: close ends with close_notify and want() == close", "[tls][stream]") {
    Fixture f;
    Client c(ClientOptions{});
    ServerConn s = f.server();
    const auto r = test::tls::fetch(c, s.stream, get_hello_close);
    CHECK(test::tls::body_of(r.response) == "hello over tls\n");
    CHECK(r.close_notify);
    CHECK(s.stream.want() == http::Want::close);
}

TEST_CASE("a file body larger than 64 KiB arrives intact, in bounded buffers", "[tls][stream]") {
    Fixture f;
    Client c(ClientOptions{});
    ServerConn s = f.server();
    const auto r = test::tls::fetch(
        c, s.stream, "GET /big.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    REQUIRE(r.response.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(test::tls::body_of(r.response) == f.site.big);
    CHECK(r.close_notify);
    CHECK(s.stream.buffer_bytes() <= 37 * 1024);
}

TEST_CASE("a pipelined pair and a range over TLS", "[tls][stream]") {
    Fixture f;
    Client c(ClientOptions{});
    ServerConn s = f.server();
    const auto r = test::tls::fetch(c, s.stream,
                                    "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
                                    "GET /big.txt HTTP/1.1\r\nHost: localhost\r\n"
                                    "Range: bytes=70000-70009\r\n\r\n");
    CHECK(r.response.find("HTTP/1.1 200 OK\r\n") == 0);
    const auto partial = r.response.find("HTTP/1.1 206 Partial Content\r\n");
    REQUIRE(partial != std::string::npos);
    CHECK(test::tls::body_of(r.response.substr(partial)) == f.site.big.substr(70000, 10));
}

TEST_CASE("TLS 1.1 is refused with protocol_version", "[tls][stream]") {
    Fixture f;
    ClientOptions o;
    o.min_version = o.max_version = TLS1_1_VERSION;
    o.legacy = true;
    Client c(o);
    ServerConn s = f.server();
    const auto r = test::tls::fetch(c, s.stream, get_hello);
    CHECK_FALSE(r.handshake);
    CHECK(ERR_GET_REASON(r.error) == SSL_R_TLSV1_ALERT_PROTOCOL_VERSION);
    CHECK(s.stream.want() == http::Want::close);
    CHECK(f.counters.handshake_failures == 1);
}

TEST_CASE("ALPN: h2 alone gets no_application_protocol; h2 with http/1.1 gets http/1.1",
          "[tls][stream]") {
    Fixture f;
    ClientOptions o;
    o.alpn = "h2";
    Client h2(o);
    ServerConn s = f.server();
    const auto r = test::tls::fetch(h2, s.stream, get_hello);
    CHECK_FALSE(r.handshake);
    CHECK(ERR_GET_REASON(r.error) == SSL_R_TLSV1_ALERT_NO_APPLICATION_PROTOCOL);
    CHECK(s.stream.want() == http::Want::close);
    CHECK(f.counters.handshake_failures == 1);

    Client both(ClientOptions{});
    static const unsigned char protos[] = "\x02h2\x08http/1.1";
    SSL_set_alpn_protos(both.ssl.get(), protos, sizeof protos - 1);
    ServerConn s2 = f.server();
    CHECK(test::tls::fetch(both, s2.stream, get_hello).handshake);
    CHECK(alpn_of(both.ssl.get()) == "http/1.1");

    o.alpn = "";  // no ALPN at all is fine: HTTP/1.1 is what a TLS port speaks
    Client none(o);
    ServerConn s3 = f.server();
    CHECK(test::tls::body_of(test::tls::fetch(none, s3.stream, get_hello).response) ==
          "hello over tls\n");
}

TEST_CASE("SNI picks the certificate by name; unknown names get the first", "[tls][stream]") {
    Fixture f;
    struct Case {
        const char* sni;
        const char* cn;
    };
    const auto [sni, cn] =
        GENERATE(Case{"localhost", "local"}, Case{"www.example.com", "wild"},
                 Case{"API.example.com", "wild"}, Case{"a.b.example.com", "local"},
                 Case{"unknown.org", "local"}, Case{"", "local"});
    ClientOptions o;
    o.sni = sni;
    if (o.sni != "" && o.sni != "a.b.example.com" && o.sni != "unknown.org") o.trust = f.pki.root();
    Client c(o);
    ServerConn s = f.server();
    const auto r = test::tls::fetch(c, s.stream, get_hello);
    REQUIRE(r.handshake);
    CHECK(peer_cn(c.ssl.get()) == cn);
    if (o.trust != nullptr) CHECK(SSL_get_verify_result(c.ssl.get()) == X509_V_OK);
}

TEST_CASE("an idle stream's buffers wait as its thread's spares, at most max_spares of them",
          "[tls][stream][memory]") {
    Fixture f;
    std::vector<std::unique_ptr<Client>> clients;
    std::vector<std::unique_ptr<ServerConn>> conns;
    const std::size_t before = server::tls::spare_bio_pairs();
    for (std::size_t i = 0; i < server::tls::max_spares + 4; ++i) {
        ClientOptions o;
        o.trust = f.pki.root();
        clients.push_back(std::make_unique<Client>(o));
        conns.push_back(std::make_unique<ServerConn>(f.site, f.ctx, f.counters));
        const auto r = test::tls::fetch(*clients.back(), conns.back()->stream, get_hello);
        REQUIRE(test::tls::body_of(r.response) == "hello over tls\n");
        CHECK(conns.back()->stream.buffer_bytes() == 0);  // idle: holds none of its own
        // Its pair went to the spares, where the next connection takes it from.
        CHECK(server::tls::spare_bio_pairs() == std::max<std::size_t>(before, 1));
        CHECK(server::tls::spare_plain_buffers() >= 1);
    }
    // A second request on every idle connection: each takes a spare and gives it back.
    for (std::size_t i = 0; i < conns.size(); ++i) {
        const auto r = test::tls::fetch(*clients[i], conns[i]->stream, get_hello);
        CHECK(test::tls::body_of(r.response) == "hello over tls\n");
    }
    conns.clear();  // streams that end clean leave their pairs, up to the bound
    CHECK(server::tls::spare_bio_pairs() <= server::tls::max_spares);
    CHECK(server::tls::spare_plain_buffers() <= server::tls::max_spares);
}
