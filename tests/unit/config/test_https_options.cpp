// --redirect-https and --hsts: conversion and the checks validate() runs on them.
#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "unit/config/cli_fixture.hpp"

using namespace std::chrono_literals;

TEST_CASE("--redirect-https and --hsts are converted", "[cli][https]") {
    const auto r = cli_test::parse({"--tls-listen", ":8443", "--tls-cert", "c.pem", "--tls-key",
                                    "k.pem", "--redirect-https", "--hsts", "365d"});
    INFO(r.message);
    REQUIRE(r.action == config::Action::serve);
    CHECK(r.cfg.redirect_https);
    CHECK(r.cfg.hsts == 365 * 24h);
    CHECK_FALSE(config::Config{}.redirect_https);
    CHECK(config::Config{}.hsts == 0ms);
}

TEST_CASE("--redirect-https needs a TLS listener with a fixed port", "[validate][https]") {
    config::Config c;
    c.redirect_https = true;
    CHECK(config::validate(c) == "--redirect-https: needs --tls-listen (the port to redirect to)");
    c.tls_cert = {"c.pem"};  // --tls-listen's own check wants a pair
    c.tls_key = {"k.pem"};
    c.tls_listen = {":0", ":8443"};
    CHECK(config::validate(c) ==
          "--redirect-https: the first --tls-listen has port 0; a redirect needs a fixed port");
    c.tls_listen = {"[::1]:443"};
    CHECK_FALSE(config::validate(c).has_value());
    c.tls_listen = {"nonsense"};  // reported as --tls-listen's problem, not this one's
    REQUIRE(config::validate(c).has_value());
    CHECK(config::validate(c)->rfind("--tls-listen: ", 0) == 0);
}

TEST_CASE("--hsts takes whole seconds", "[validate][https]") {
    config::Config c;
    c.hsts = 1500ms;
    CHECK(config::validate(c) == "--hsts: max-age is whole seconds (use e.g. 365d, 180d or 3600s)");
    c.hsts = 180 * 24h;
    CHECK_FALSE(config::validate(c).has_value());
    const auto bad = cli_test::parse({"--hsts", "1year"});
    CHECK(bad.message.find("--hsts: invalid duration '1year' (use e.g. 365d or 3600s)") !=
          std::string::npos);
}
