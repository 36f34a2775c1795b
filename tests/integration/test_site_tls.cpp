// "Where HTTPS has landed, virtual hosts also choose the certificate" (issue 16), on every
// model: a [[site]] with its own tls-cert and tls-key joins the SNI pairs, so a client naming
// that site in SNI gets the site's certificate and, with the same Host, the site's files; the
// top level's pair stays the default for every other name.
#include <fstream>

#include "config_runs.hpp"
#include "suite.hpp"
#include "test_certs.hpp"

using namespace itest;

namespace {

struct TlsSiteFiles {
    ScratchDir scratch;
    std::string a = scratch.dir("a", 0755);
    std::string b = scratch.dir("b", 0755);
    std::string config = scratch.path + "/tls-site.toml";

    TlsSiteFiles() {
        std::ofstream(a + "/who.txt", std::ios::binary) << "default site\n";
        std::ofstream(a + "/page.html", std::ios::binary) << web_root().page_body;
        std::ofstream(b + "/who.txt", std::ios::binary) << "other.test site\n";
        const auto& other = test_certs().other;
        std::ofstream(config, std::ios::binary)
            << "[[site]]\nhosts = [\"other.test\"]\nroot = \"" << b << "\"\ntls-cert = \""
            << other.cert_file << "\"\ntls-key = \"" << other.key_file << "\"\n";
    }
};

const TlsSiteFiles& tls_site_files() {
    static const TlsSiteFiles files;
    return files;
}

// GET /who.txt over TLS with `sni` and `host`: the leaf's CN, then the body.
std::pair<std::string, std::string> who(std::uint16_t port, const std::string& sni,
                                        const std::string& host) {
    // Verified against the test CA where the name is one of the pairs'.
    const bool known = sni == "localhost" || sni == "other.test";
    RawClient c(port, over(Transport::tls), TlsOptions{.sni = sni, .verify = known});
    const HttpResponse r = roundtrip(c, "GET /who.txt HTTP/1.1\r\nHost: " + host + "\r\n\r\n");
    CHECK(r.status == 200);
    return {c.tls()->peer_cn(), r.body};
}

}  // namespace

TEST_CASE("site tls: a site's own certificate is chosen by SNI, its files by Host",
          "[integration][site][tls]") {
    MODEL_UNDER_TEST();
    const TlsSiteFiles& f = tls_site_files();
    const std::vector<std::string> flags = {"--config", f.config, "--root", f.a};
    const std::uint16_t port = shared_server(model, flags, Transport::tls).tls_port();
    SECTION("SNI other.test: the site's pair and the site's files") {
        const auto [cn, body] = who(port, "other.test", "other.test");
        CHECK(cn == "other.test");
        CHECK(body == "other.test site\n");
    }
    SECTION("SNI localhost, none, or unknown: the top level's pair and the default site") {
        for (const char* sni : {"localhost", "", "unknown.test"}) {
            INFO("SNI: " << sni);
            const auto [cn, body] = who(port, sni, sni[0] == '\0' ? "localhost" : sni);
            CHECK(cn == "localhost");
            CHECK(body == "default site\n");
        }
    }
    CLEAN_SHUTDOWN_SECTION(flags, Transport::tls)
}
