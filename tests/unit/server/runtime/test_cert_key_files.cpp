// cert_key_files(): the certificate pairs SNI chooses from, the [[site]] tables' included.
#include <catch2/catch.hpp>

#include "server/runtime/context.hpp"

namespace {

std::vector<std::string> certs(const config::Config& cfg) {
    std::vector<std::string> out;
    for (const auto& pair : server::cert_key_files(cfg))
        out.push_back(pair.cert_file + "+" + pair.key_file);
    return out;
}

}  // namespace

TEST_CASE("a site's certificate joins the pairs after the top level's", "[runtime][tls]") {
    config::Config cfg;
    cfg.tls_cert = {"a.pem", "b.pem"};
    cfg.tls_key = {"a.key", "b.key"};
    config::Site own{{"c.example"}, cfg};
    own.config.tls_cert = {"c.pem"};
    own.config.tls_key = {"c.key"};
    const config::Site inherits{{"d.example"}, cfg};  // the top level's pairs: no new one
    config::Site same{{"e.example"}, cfg};
    same.config.tls_cert = {"c.pem"};  // a pair given by two sites is loaded once
    same.config.tls_key = {"c.key"};
    cfg.sites = {own, inherits, same};
    CHECK(certs(cfg) == std::vector<std::string>{"a.pem+a.key", "b.pem+b.key", "c.pem+c.key"});
}

TEST_CASE("sites alone may bring the certificates", "[runtime][tls]") {
    config::Config cfg;
    config::Site site{{"a.example"}, cfg};
    site.config.tls_cert = {"a.pem"};
    site.config.tls_key = {"a.key"};
    cfg.sites = {site};
    CHECK(certs(cfg) == std::vector<std::string>{"a.pem+a.key"});
}
