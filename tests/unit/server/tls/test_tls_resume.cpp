// Session resumption through tickets: two TlsContexts sharing one key store (as the workers
// and processes of a model will) resume each other's sessions; a context with another store
// does not; rotation keeps older tickets usable for a while, then drops them.
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/ssl.h>

#include "server/tls/ticket_keys.hpp"
#include "server/tls/tls_context.hpp"
#include "server/tls/tls_stream.hpp"
#include "unit/server/tls/tls_harness.hpp"

using server::tls::LocalTicketKeys;
using server::tls::SessionPtr;
using server::tls::TlsContext;
using namespace test::tls;  // the harness: Client, Fixture, fetch...

namespace {

// One GET against `ctx`; returns the client's session (with the tickets it received) and
// whether this connection resumed.
SessionPtr visit(Fixture& f, const std::shared_ptr<const TlsContext>& ctx, int version,
                 SSL_SESSION* session, bool& resumed) {
    ClientOptions o;
    o.min_version = o.max_version = version;
    o.session = session;
    Client c(o);
    ServerConn s(f.site, ctx, f.counters);
    const auto r = test::tls::fetch(c, s.stream, get_hello);
    REQUIRE(test::tls::body_of(r.response) == "hello over tls\n");
    resumed = SSL_session_reused(c.ssl.get()) == 1;
    CHECK(s.stream.resumed() == resumed);
    // The client's close_notify: the server answers with its own and closes. (A client SSL
    // freed without it marks its session unresumable.)
    SSL_shutdown(c.ssl.get());
    test::tls::shuttle(c, s.stream, SIZE_MAX);
    CHECK(s.stream.want() == http::Want::close);
    CHECK(SSL_shutdown(c.ssl.get()) == 1);  // the server's close_notify arrived
    return SessionPtr(SSL_get1_session(c.ssl.get()));
}

}  // namespace

TEST_CASE("two contexts sharing a key store resume each other's sessions", "[tls][resume]") {
    Fixture f;
    const int version = GENERATE(TLS1_3_VERSION, TLS1_2_VERSION);
    const auto a = f.context(f.keys);
    const auto b = f.context(f.keys);
    bool resumed = true;
    const SessionPtr first = visit(f, a, version, nullptr, resumed);
    CHECK_FALSE(resumed);
    REQUIRE(first != nullptr);
    REQUIRE(SSL_SESSION_is_resumable(first.get()) == 1);

    const SessionPtr second = visit(f, b, version, first.get(), resumed);
    CHECK(resumed);  // b opened a's ticket
    CHECK(visit(f, a, version, second.get(), resumed) != nullptr);
    CHECK(resumed);  // and a opens b's
    CHECK(f.counters.resumed == 2);
    CHECK(f.counters.handshakes == 3);

    const auto other = f.context(std::make_shared<LocalTicketKeys>());
    visit(f, other, version, first.get(), resumed);
    CHECK_FALSE(resumed);  // another store's context cannot open the ticket: full handshake
    CHECK(f.counters.handshake_failures == 0);
}

TEST_CASE("rotation: a ticket opens under the two next keys, then no more", "[tls][resume]") {
    Fixture f;
    const auto ctx = f.context(f.keys);
    bool resumed = true;
    const SessionPtr session = visit(f, ctx, TLS1_3_VERSION, nullptr, resumed);
    REQUIRE(session != nullptr);
    REQUIRE(f.keys->rotate());
    visit(f, ctx, TLS1_3_VERSION, session.get(), resumed);
    CHECK(resumed);
    REQUIRE(f.keys->rotate());
    visit(f, ctx, TLS1_3_VERSION, session.get(), resumed);
    CHECK(resumed);
    REQUIRE(f.keys->rotate());
    visit(f, ctx, TLS1_3_VERSION, session.get(), resumed);
    CHECK_FALSE(resumed);
}

TEST_CASE("TLS 1.3: every resumption brings a fresh ticket, so single-use tickets chain",
          "[tls][resume]") {
    Fixture f;
    const auto ctx = f.context(f.keys);
    bool resumed = true;
    SessionPtr session = visit(f, ctx, TLS1_3_VERSION, nullptr, resumed);
    REQUIRE(session != nullptr);
    for (int i = 0; i < 3; ++i) {
        SessionPtr next = visit(f, ctx, TLS1_3_VERSION, session.get(), resumed);
        CHECK(resumed);
        // Without a new ticket the client would keep the session it offered.
        CHECK(next.get() != session.get());
        session = std::move(next);  // each ticket used once, as browsers do
    }
    CHECK(f.counters.resumed == 3);
}
