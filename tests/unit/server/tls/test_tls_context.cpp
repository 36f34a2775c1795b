// TlsContext construction (what startup refuses and warns about), the SNI name match, and the
// session-ticket key ring.
#include <ctime>
#include <memory>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "server/tls/cert_pair.hpp"
#include "server/tls/ticket_keys.hpp"
#include "server/tls/tls_context.hpp"
#include "unit/server/tls/test_pki.hpp"

using server::tls::CertKeyFiles;
using server::tls::LocalTicketKeys;
using server::tls::TlsContext;

namespace {

std::shared_ptr<LocalTicketKeys> keys() { return std::make_shared<LocalTicketKeys>(); }

// The message a construction throws, or "" when it does not.
std::string refusal(const std::vector<CertKeyFiles>& pairs) {
    try {
        const TlsContext ctx(pairs, keys());
    } catch (const std::runtime_error& e) {
        return e.what();
    }
    return "";
}

}  // namespace

TEST_CASE("a good pair loads, with no warning", "[tls][context]") {
    const test::tls::Pki pki;
    const auto files = pki.issue("site", test::tls::spec("site", {"localhost"}));
    const TlsContext ctx(std::vector{files}, keys());
    CHECK(ctx.warnings().empty());
    CHECK(ctx.new_ssl() != nullptr);
}

TEST_CASE("refusals are one line naming the file", "[tls][context]") {
    const test::tls::Pki pki;
    const auto good = pki.issue("good", test::tls::spec("good", {"localhost"}));
    const auto check = [](const std::string& msg, const std::string& file, const char* why) {
        INFO(msg);
        CHECK(msg.find(file) != std::string::npos);
        CHECK(msg.find(why) != std::string::npos);
        CHECK(msg.find('\n') == std::string::npos);
    };
    SECTION("missing certificate file") {
        const std::string missing = pki.dir.path("missing.crt");
        check(refusal({{missing, good.key_file}}), missing, "cannot read: No such file");
    }
    SECTION("missing key file") {
        const std::string missing = pki.dir.path("missing.key");
        check(refusal({{good.cert_file, missing}}), missing, "cannot read");
    }
    SECTION("a directory is unreadable as a file") {
        check(refusal({{pki.dir.root(), good.key_file}}), pki.dir.root(), "cannot read");
    }
    SECTION("not PEM") {
        pki.dir.file("junk.crt", "not a certificate\n");
        check(refusal({{pki.dir.path("junk.crt"), good.key_file}}), pki.dir.path("junk.crt"),
              "no PEM certificate");
        check(refusal({{good.cert_file, pki.dir.path("junk.crt")}}), pki.dir.path("junk.crt"),
              "no PEM private key");
    }
    SECTION("a key that is not the certificate's") {
        const auto bad = pki.issue("mismatch", test::tls::spec("m", {"localhost"}), true);
        const std::string msg = refusal({{bad.cert_file, bad.key_file}});
        check(msg, bad.key_file, "does not match the certificate");
        CHECK(msg.find(bad.cert_file) != std::string::npos);
    }
    SECTION("an expired certificate") {
        const auto old = pki.issue("old", test::tls::spec("old", {"localhost"}, -60, -30L * 86400));
        check(refusal({{old.cert_file, old.key_file}}), old.cert_file, "expired on");
    }
    SECTION("a bad second pair refuses the whole context") {
        const std::string missing = pki.dir.path("second.crt");
        check(refusal({good, {missing, good.key_file}}), missing, "cannot read");
    }
    SECTION("no pair at all") { CHECK(refusal({}).find("no certificate") != std::string::npos); }
}

TEST_CASE("a certificate expiring within 14 days is a warning", "[tls][context]") {
    const test::tls::Pki pki;
    const auto soon = pki.issue("soon", test::tls::spec("soon", {"localhost"}, 5L * 86400));
    const auto later = pki.issue("later", test::tls::spec("later", {"later.test"}, 15L * 86400));
    const TlsContext ctx(std::vector{soon, later}, keys());
    REQUIRE(ctx.warnings().size() == 1);
    CHECK(ctx.warnings()[0].find(soon.cert_file) != std::string::npos);
    CHECK(ctx.warnings()[0].find("expires on") != std::string::npos);
    // The same files, checked as if a month had passed: now expired, refused.
    CHECK_THROWS_WITH(TlsContext(std::vector{soon}, keys(), std::time(nullptr) + 30L * 86400),
                      Catch::Contains("expired"));
}

TEST_CASE("SNI names match exactly or by a one-label wildcard", "[tls][context]") {
    using server::tls::host_matches;
    CHECK(host_matches("localhost", "localhost"));
    CHECK(host_matches("localhost", "LocalHost"));
    CHECK(host_matches("www.example.com", "www.example.com."));
    CHECK_FALSE(host_matches("localhost", "localhost2"));
    CHECK(host_matches("*.example.com", "www.example.com"));
    CHECK(host_matches("*.example.com", "WWW.Example.COM"));
    CHECK_FALSE(host_matches("*.example.com", "example.com"));
    CHECK_FALSE(host_matches("*.example.com", "a.b.example.com"));
    CHECK_FALSE(host_matches("*.example.com", ".example.com"));
    CHECK_FALSE(host_matches("*.example.com", "www.example.org"));
    CHECK_FALSE(host_matches("*.example.com", ""));
}

TEST_CASE("pick: the first pair whose names match, else the first pair", "[tls][context]") {
    const test::tls::Pki pki;
    const auto a = pki.issue("a", test::tls::spec("a", {"localhost", "a.test"}));
    const auto b = pki.issue("b", test::tls::spec("b", {"*.example.com"}));
    const auto c = pki.issue("c", test::tls::spec("c", {"www.example.com"}));
    const TlsContext ctx(std::vector{a, b, c}, keys());
    CHECK(ctx.pick("localhost") == 0);
    CHECK(ctx.pick("A.test") == 0);
    CHECK(ctx.pick("www.example.com") == 1);  // b's wildcard comes first
    CHECK(ctx.pick("api.example.com") == 1);
    CHECK(ctx.pick("unknown.org") == 0);
    CHECK(ctx.pick("") == 0);
}

TEST_CASE("ticket keys: rotation keeps older keys for opening, then drops them", "[tls][tickets]") {
    LocalTicketKeys store(3);
    server::tls::TicketKey first;
    REQUIRE(store.sealing_key(first));
    server::tls::TicketKey found;
    bool renew = true;
    REQUIRE(store.opening_key(first.name, found, renew));
    CHECK_FALSE(renew);
    CHECK(found.aes == first.aes);

    REQUIRE(store.rotate());
    server::tls::TicketKey second;
    REQUIRE(store.sealing_key(second));
    CHECK(second.name != first.name);
    REQUIRE(store.opening_key(first.name, found, renew));
    CHECK(renew);  // still opens, and the client gets a ticket under the new key
    CHECK(found.hmac == first.hmac);

    REQUIRE(store.rotate());
    CHECK(store.opening_key(first.name, found, renew));  // the third key kept
    REQUIRE(store.rotate());
    CHECK_FALSE(store.opening_key(first.name, found, renew));  // rotated out
    CHECK(store.opening_key(second.name, found, renew));
}

TEST_CASE("ticket key ring: keep is clamped to the ring's capacity", "[tls][tickets]") {
    server::tls::TicketKeyRing ring;
    server::tls::TicketKey k;
    for (unsigned char i = 0; i < 10; ++i) {
        k.name.fill(i);
        server::tls::push_ticket_key(ring, k, 100);
    }
    CHECK(ring.count == server::tls::TicketKeyRing::capacity);
    CHECK(ring.keys[0].name[0] == 9);
    CHECK(ring.keys[3].name[0] == 6);
    server::tls::push_ticket_key(ring, k, 0);  // keep 0 still keeps the sealing key
    CHECK(ring.count == 1);
}
