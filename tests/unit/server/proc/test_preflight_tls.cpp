// The preflight's TLS part: the certificate pairs loaded as startup loads them, so that
// --check-config, startup and a reload refuse the same files with the same line; expiry
// warnings; pairs left unused; --tls-listen addresses checked like --listen's. Certificates
// come from the test PKI (made at run time); nothing binds a port.
#include <sys/stat.h>
#include <unistd.h>

#include <ctime>
#include <string>

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "server/proc/preflight.hpp"
#include "unit/server/tls/test_pki.hpp"

namespace {

using server::TlsReport;

// A served root and one TLS listener with the pair `files`.
config::Config tls_site(const test::TempRoot& t, const server::tls::CertKeyFiles& files) {
    config::Config c;
    c.root = t.root();
    c.listen = {"127.0.0.1:0"};
    c.tls_listen = {"127.0.0.1:0"};
    c.tls_cert = {files.cert_file};
    c.tls_key = {files.key_file};
    c.access_log = "off";
    c.error_log = "-";
    return c;
}

}  // namespace

TEST_CASE("preflight loads a good pair and names its certificate", "[preflight][tls]") {
    const test::tls::Pki pki;
    const auto files =
        pki.issue("site", test::tls::spec("site", {"example.test", "*.example.test"}));
    TlsReport report;
    CHECK(server::preflight(tls_site(pki.dir, files), false, report) == std::nullopt);
    CHECK(report.warnings.empty());
    REQUIRE(report.certificates.size() == 1);
    CHECK(report.certificates[0] ==
          "tls: " + files.cert_file + " for example.test, *.example.test");
}

TEST_CASE("several pairs: the first is the default", "[preflight][tls]") {
    const test::tls::Pki pki;
    const auto a = pki.issue("a", test::tls::spec("a", {"a.test"}));
    const auto b = pki.issue("b", test::tls::spec("b", {}));
    config::Config c = tls_site(pki.dir, a);
    c.tls_cert.push_back(b.cert_file);
    c.tls_key.push_back(b.key_file);
    TlsReport report;
    REQUIRE(server::check_tls(c, report) == std::nullopt);
    CHECK(report.certificates ==
          std::vector<std::string>{"tls: " + a.cert_file + " for a.test (the default)",
                                   "tls: " + b.cert_file + " for no DNS name"});
}

TEST_CASE("preflight refuses a pair in one line naming the file", "[preflight][tls]") {
    const test::tls::Pki pki;
    const auto good = pki.issue("good", test::tls::spec("good", {"good.test"}));
    config::Config c = tls_site(pki.dir, good);
    SECTION("a missing certificate") {
        c.tls_cert = {pki.dir.path("none.crt")};
        CHECK(server::preflight(c, false) ==
              "tls: " + c.tls_cert[0] + ": cannot read: No such file or directory");
    }
    SECTION("a key that is no file") {
        c.tls_key = {pki.dir.root()};
        CHECK_THAT(server::preflight(c, false).value_or(""),
                   Catch::StartsWith("tls: " + c.tls_key[0] + ": "));
    }
    SECTION("a key that does not match its certificate") {
        const auto wrong = pki.issue("wrong", test::tls::spec("wrong", {"wrong.test"}), true);
        c.tls_cert = {wrong.cert_file};
        c.tls_key = {wrong.key_file};
        CHECK(server::preflight(c, false) == "tls: " + wrong.key_file +
                                                 ": the key does not match the certificate " +
                                                 wrong.cert_file);
    }
    SECTION("the second pair's key swapped with the first's") {
        const auto other = pki.issue("other", test::tls::spec("other", {"other.test"}));
        c.tls_cert.push_back(other.cert_file);
        c.tls_key.push_back(good.key_file);
        CHECK_THAT(server::preflight(c, false).value_or(""),
                   Catch::StartsWith("tls: " + good.key_file + ": the key does not match"));
    }
    SECTION("an expired certificate") {
        const auto old = pki.issue("old", test::tls::spec("old", {"old.test"}, -60, -86400));
        c.tls_cert = {old.cert_file};
        c.tls_key = {old.key_file};
        CHECK_THAT(server::preflight(c, false).value_or(""),
                   Catch::StartsWith("tls: " + old.cert_file + ": the certificate expired on "));
    }
    SECTION("a certificate expired by the day the check runs") {
        TlsReport report;
        const std::time_t in_a_year = std::time(nullptr) + 365L * 86400;
        CHECK_THAT(server::check_tls(c, report, in_a_year).value_or(""),
                   Catch::StartsWith("tls: " + good.cert_file + ": the certificate expired on "));
    }
}

TEST_CASE("a certificate expiring within 14 days passes with a warning", "[preflight][tls]") {
    const test::tls::Pki pki;
    const auto soon = pki.issue("soon", test::tls::spec("soon", {"soon.test"}, 7L * 86400));
    TlsReport report;
    CHECK(server::preflight(tls_site(pki.dir, soon), false, report) == std::nullopt);
    REQUIRE(report.warnings.size() == 1);
    CHECK_THAT(report.warnings[0],
               Catch::StartsWith("tls: " + soon.cert_file + ": the certificate expires on "));
    // Fifteen days out: no warning.
    const auto later = pki.issue("later", test::tls::spec("later", {"later.test"}, 15L * 86400));
    report = {};
    CHECK(server::check_tls(tls_site(pki.dir, later), report) == std::nullopt);
    CHECK(report.warnings.empty());
}

TEST_CASE(
    "pairs without --tls-listen: checked all the same, and unused unless systemd passes "
    "sockets",
    "[preflight][tls]") {
    test::TempRoot t;
    config::Config missing = tls_site(t, {t.path("none.crt"), t.path("none.key")});
    missing.tls_listen.clear();
    TlsReport report;
    // Startup builds the context from them (an "https" socket from systemd would use it).
    const auto err = server::preflight(missing, false, report);
    REQUIRE(err.has_value());
    CHECK(err->find("none.crt") != std::string::npos);

    const test::tls::Pki pki;
    config::Config good =
        tls_site(pki.dir, pki.issue("site", test::tls::spec("site", {"site.test"})));
    good.tls_listen.clear();
    CHECK(server::preflight(good, false, report) == std::nullopt);
    CHECK(report.warnings ==
          std::vector<std::string>{"--tls-cert and --tls-key are unused: no --tls-listen"});
    CHECK(server::preflight(good, true, report) == std::nullopt);
    CHECK(report.warnings.empty());
}

TEST_CASE("--tls-listen addresses are checked as --listen's are", "[preflight][tls]") {
    const test::tls::Pki pki;
    const auto files = pki.issue("site", test::tls::spec("site", {"site.test"}));
    config::Config c = tls_site(pki.dir, files);
    c.listen = {"127.0.0.1:8080"};
    SECTION("not an address of this machine") {
        c.tls_listen = {"192.0.2.1:8443"};
        CHECK(server::preflight(c, false) ==
              "--tls-listen: '192.0.2.1:8443' is not an address of this machine: Cannot assign "
              "requested address");
    }
    SECTION("the socket of a --listen address, spelled as a name") {
        c.tls_listen = {"localhost:8080"};
        // Every address localhost resolves to is compared, 127.0.0.1 among them.
        CHECK(server::preflight(c, false) ==
              "--tls-listen: 'localhost:8080' and '127.0.0.1:8080' both name "
              "127.0.0.1:8080");
    }
}

TEST_CASE("keys only root can read pass as root with --user: read before the drop",
          "[preflight][tls]") {
    if (::geteuid() != 0) {
        WARN("not root: the key is not read as another user");
        return;
    }
    const test::tls::Pki pki;
    const auto files = pki.issue("site", test::tls::spec("site", {"site.test"}));
    REQUIRE(::chmod(files.key_file.c_str(), 0600) == 0);
    config::Config c = tls_site(pki.dir, files);
    c.user = "nobody";
    CHECK(server::preflight(c, false) == std::nullopt);
}
