// HTTPS for every model, whatever the suite's transport: a TLS listener beside the plain one,
// TLS 1.3 and 1.2 served and 1.1 refused, ALPN http/1.1 only (a client asking only for h2
// gets no_application_protocol), the certificate chosen by SNI from two pairs, and a session
// resumed on a second connection. The hostile cases are in test_tls_hostile.cpp.
#include "suite.hpp"
#include "test_certs.hpp"

using namespace itest;

namespace {

// The suite's pair (localhost) is the default; other.test's pair is the SNI alternative.
std::vector<std::string> second_pair() {
    return {"--tls-cert", test_certs().other.cert_file, "--tls-key", test_certs().other.key_file};
}

// One GET /page.html over TLS with `opts`; REQUIREs a 200 with the page. Returns the client
// so the caller can look at its session.
std::unique_ptr<RawClient> get_page(std::uint16_t port, const TlsOptions& opts = {}) {
    auto c = std::make_unique<RawClient>(port, over(Transport::tls), opts);
    const HttpResponse r = roundtrip(*c, get_request("/page.html"));
    CHECK(r.status == 200);
    CHECK(r.body == web_root().page_body);
    return c;
}

void tls_and_plain_side_by_side(const ServerProcess& server) {
    const auto c = get_page(server.tls_port());
    CHECK(c->tls()->version() == "TLSv1.3");
    CHECK(c->tls()->alpn() == "http/1.1");
    RawClient plain(server.plain_port(), over(Transport::plain));
    const HttpResponse r = roundtrip(plain, get_request("/page.html"));
    CHECK(r.status == 200);
    CHECK(r.body == web_root().page_body);
}

void tls12_served(std::uint16_t port) {
    const auto c = get_page(port, TlsOptions{.max_version = TLS1_2_VERSION});
    CHECK(c->tls()->version() == "TLSv1.2");
    CHECK(c->tls()->alpn() == "http/1.1");
}

// A refused handshake: the client's handshake fails and the server's alert says why.
void refused(std::uint16_t port, const TlsOptions& opts, const std::string& alert) {
    RawClient c(port, over(Transport::tls), opts);
    INFO("expected alert: " << alert);
    CHECK_FALSE(c.handshake());
    INFO("client error: " << c.error());
    CHECK(c.tls()->alert_received() == alert);
    CHECK(c.wait_closed());
}

void sni_picks_the_pair(std::uint16_t port) {
    // verify = true (the default) also checks the certificate against the name asked for.
    CHECK(get_page(port, TlsOptions{.sni = "other.test"})->tls()->peer_cn() == "other.test");
    CHECK(get_page(port, TlsOptions{.sni = "localhost"})->tls()->peer_cn() == "localhost");
    CHECK(get_page(port, TlsOptions{.sni = "", .verify = false})->tls()->peer_cn() == "localhost");
    CHECK(get_page(port, TlsOptions{.sni = "unknown.test", .verify = false})->tls()->peer_cn() ==
          "localhost");
}

// TLS 1.3 and 1.2 sessions: the second connection resumes the first one's.
void resumed(std::uint16_t port, int max_version) {
    const auto first = get_page(port, TlsOptions{.max_version = max_version});
    CHECK_FALSE(first->tls()->resumed());
    const SessionRef session = first->tls()->session();
    REQUIRE(session != nullptr);
    const auto second = get_page(port, TlsOptions{.max_version = max_version, .resume = session});
    CHECK(second->tls()->resumed());
}

}  // namespace

TEST_CASE("TLS: versions, ALPN, SNI and resumption", "[tls]") {
    MODEL_UNDER_TEST();
    ServerProcess& server = shared_server(model, second_pair(), Transport::tls);
    const std::uint16_t port = server.tls_port();
    REQUIRE(port != 0);
    SECTION("HTTPS on the TLS listener (TLS 1.3, http/1.1), HTTP on the plain one") {
        tls_and_plain_side_by_side(server);
    }
    SECTION("TLS 1.2 is served") { tls12_served(port); }
    SECTION("TLS 1.1 is refused with protocol_version") {
        refused(port,
                TlsOptions{
                    .min_version = TLS1_1_VERSION, .max_version = TLS1_1_VERSION, .legacy = true},
                "protocol version");
    }
    SECTION("a client offering only h2 gets no_application_protocol") {
        refused(port, TlsOptions{.alpn = {"h2"}}, "no application protocol");
    }
    SECTION("a client without ALPN is served") {
        CHECK(get_page(port, TlsOptions{.alpn = {}})->tls()->alpn().empty());
    }
    SECTION("SNI picks the certificate; no or an unknown name gets the first pair") {
        sni_picks_the_pair(port);
    }
    SECTION("a TLS 1.3 session is resumed on a new connection") { resumed(port, 0); }
    SECTION("a TLS 1.2 session is resumed on a new connection") { resumed(port, TLS1_2_VERSION); }
    SECTION("SIGTERM: the server exits with status 0 in time") {
        check_clean_stop(model, second_pair(), Transport::tls);
    }
}
