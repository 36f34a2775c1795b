// The TLS options' checks that need no file: --tls-cert and --tls-key in pairs, --tls-listen
// with a certificate and on no --listen address, and "none" for an HTTPS-only server. The
// certificate files themselves are read by the preflight (tests/unit/server/proc).
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli_fixture.hpp"
#include "config/options.hpp"

using config::Action;
using namespace cli_test;

namespace {

const std::vector<std::string> one_pair = {"--tls-cert", "/c.pem", "--tls-key", "/k.pem"};

std::vector<std::string> with_pair(std::vector<std::string> args) {
    args.insert(args.end(), one_pair.begin(), one_pair.end());
    return args;
}

}  // namespace

TEST_CASE("--tls-listen needs a certificate and key", "[cli][tls]") {
    const auto r = parse({"--tls-listen", ":8443"});
    CHECK(r.action == Action::exit_error);
    CHECK(r.message == "--tls-listen needs a certificate: give --tls-cert and --tls-key");
    const auto ok = parse(with_pair({"--tls-listen", ":8443"}));
    REQUIRE(ok.action == Action::serve);
    CHECK(ok.cfg.tls_listen == std::vector<std::string>{":8443"});
    CHECK(ok.cfg.tls_cert == std::vector<std::string>{"/c.pem"});
    CHECK(ok.cfg.tls_key == std::vector<std::string>{"/k.pem"});
}

TEST_CASE("--tls-cert and --tls-key come in pairs", "[cli][tls]") {
    CHECK(parse({"--tls-listen", ":8443", "--tls-cert", "/c.pem"}).message ==
          "--tls-key: 0 keys for 1 certificate (--tls-cert and --tls-key come in pairs, in the "
          "same order)");
    CHECK(parse({"--tls-listen", ":8443", "--tls-key", "/k.pem"}).message ==
          "--tls-key: 1 key for 0 certificates (--tls-cert and --tls-key come in pairs, in the "
          "same order)");
    CHECK(parse(with_pair({"--tls-listen", ":8443", "--tls-cert", "/d.pem"})).message ==
          "--tls-key: 1 key for 2 certificates (--tls-cert and --tls-key come in pairs, in the "
          "same order)");
    // Without --tls-listen the pairs are still checked: they would be used once it is given.
    CHECK(parse({"--tls-cert", "/c.pem"}).action == Action::exit_error);
    const auto two = parse({"--tls-listen", ":8443", "--tls-cert", "/a.pem,/b.pem", "--tls-key",
                            "/a.key", "--tls-key", "/b.key"});
    REQUIRE(two.action == Action::serve);
    CHECK(two.cfg.tls_key == std::vector<std::string>{"/a.key", "/b.key"});
}

TEST_CASE("pairs without --tls-listen are accepted (startup warns they are unused)", "[cli][tls]") {
    const auto r = parse(one_pair);
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.tls_listen.empty());
}

TEST_CASE("an address in both --listen and --tls-listen is refused, compared parsed",
          "[cli][tls][listeners]") {
    CHECK(parse(with_pair({"--listen", ":8443", "--tls-listen", "0.0.0.0:8443"})).message ==
          "--tls-listen: '0.0.0.0:8443' is also a --listen address (a port serves HTTP or HTTPS, "
          "not both)");
    CHECK(parse(with_pair({"--listen", "[::1]:80,:8080", "--tls-listen", "*:8080"})).action ==
          Action::exit_error);
    // Port 0 is a fresh port each time; another port or host is another socket.
    CHECK(parse(with_pair({"--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0"})).action ==
          Action::serve);
    CHECK(parse(with_pair({"--listen", ":8080", "--tls-listen", ":8443,127.0.0.2:8080"})).action ==
          Action::serve);
    // Within --tls-listen, as within --listen.
    CHECK(parse(with_pair({"--tls-listen", ":8443,:8443"})).message ==
          "--tls-listen: ':8443' is given twice");
}

TEST_CASE("--listen none: HTTPS only, and only beside --tls-listen", "[cli][tls][listeners]") {
    const auto r = parse(with_pair({"--listen", "none", "--tls-listen", ":8443"}));
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.listen.empty());
    CHECK(parse({"--listen", "none"}).message ==
          "--listen: no address (give at least one, or --tls-listen for HTTPS only)");
    CHECK(parse(with_pair({"--listen", "none,:80", "--tls-listen", ":8443"})).message ==
          "--listen: 'none' stands alone, never beside addresses");
    CHECK(
        parse(with_pair({"--listen", ":80", "--listen", "none", "--tls-listen", ":8443"})).action ==
        Action::exit_error);
}

TEST_CASE("--tls-listen none empties what the file set", "[cli][tls][file]") {
    TempDir dir;
    const auto file = dir.write("c.toml",
                                "tls-listen = \":8443\"\ntls-cert = \"/c.pem\"\n"
                                "tls-key = \"/k.pem\"\n");
    CHECK(parse({"--config", file}).cfg.tls_listen == std::vector<std::string>{":8443"});
    const auto r = parse({"--config", file, "--tls-listen", "none"});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.tls_listen.empty());
}

TEST_CASE("the file says HTTPS only with listen = [] or \"none\"", "[cli][tls][file]") {
    TempDir dir;
    const std::string tls =
        "tls-listen = [\":8443\"]\ntls-cert = [\"/c.pem\"]\ntls-key = [\"/k.pem\"]\n";
    for (const std::string listen :
         {"listen = []\n", "listen = \"none\"\n", "listen = [\"none\"]\n"}) {
        INFO(listen);
        const auto r = parse({"--config", dir.write("c.toml", listen + tls)});
        REQUIRE(r.action == Action::serve);
        CHECK(r.cfg.listen.empty());
    }
    // Without tls-listen, an empty listen is placed at its line in the file.
    const auto file = dir.write("c.toml", "model = \"loop\"\nlisten = []\n");
    const auto r = parse({"--config", file});
    CHECK(r.action == Action::exit_error);
    CHECK(r.message == "--config '" + file +
                           "' line 2, column 10: --listen: no address (give at least one, or "
                           "--tls-listen for HTTPS only)");
}

TEST_CASE("--help says how to serve HTTPS only", "[cli][tls]") {
    const auto r = parse({"--help"});
    CHECK_THAT(r.message, Catch::Contains("none: no plain HTTP (HTTPS only, with --tls-listen)"));
}

TEST_CASE("a reload shows an emptied list by its none word", "[cli][tls]") {
    config::Config running, fresh;
    fresh.listen.clear();
    fresh.tls_listen = {":8443"};
    const auto c = config::changes(running, fresh, config::Apply::restart);
    REQUIRE(c.size() == 2);
    CHECK(c[0].name == "listen");
    CHECK(c[0].from == "127.0.0.1:8080");
    CHECK(c[0].to == "none");
    CHECK(c[1].from == "none");
    CHECK(c[1].to == ":8443");
}
