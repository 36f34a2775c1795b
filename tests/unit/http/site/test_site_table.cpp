// SiteTable: virtual hosts over two roots, the default site, strict hosts and hostile Hosts.
#include <catch2/catch.hpp>

#include "http/site/site_table.hpp"
#include "unit/http/site/site_root.hpp"

using test::body_of;

namespace {

struct Hosts {
    test::TempRoot a;
    test::TempRoot b;
    test::TempRoot fallback;
    http::SiteTableConfig cfg;
    explicit Hosts(bool strict = false) {
        a.file("root/who.txt", "a\n");
        b.file("root/who.txt", "b\n");
        fallback.file("root/who.txt", "default\n");
        cfg.sites.push_back({{"a.example", "www.a.example"}, test::spa_config(a)});
        cfg.sites.push_back({{"*.b.example", "b.example"}, test::spa_config(b)});
        cfg.default_site = test::spa_config(fallback);
        cfg.strict_hosts = strict;
    }
};

std::string who(const http::SiteTable& t, std::string_view host) {
    http::Request req = test::request("/who.txt");
    req.host = host;
    http::Response res;
    t.choose(host).handle(req, res);
    return res.status == 200 ? body_of(res) : std::to_string(res.status);
}

}  // namespace

TEST_CASE("sites: Host picks the site, its name is its first host") {
    const Hosts h;
    const http::SiteTable t(h.cfg);
    CHECK(t.size() == 2);
    CHECK(who(t, "a.example") == "a\n");
    CHECK(who(t, "WWW.A.Example.:8080") == "a\n");
    CHECK(who(t, "b.example") == "b\n");
    CHECK(who(t, "x.y.b.example") == "b\n");
    CHECK(t.choose("x.b.example").name() == "*.b.example");
    CHECK(t.choose("a.example").name() == "a.example");
    CHECK(t.default_site().name() == "default");
}

TEST_CASE("sites: an unknown or absent Host gets the default site") {
    const Hosts h;
    const http::SiteTable t(h.cfg);
    CHECK(who(t, "c.example") == "default\n");
    CHECK(who(t, "") == "default\n");  // HTTP/1.0 without Host
    CHECK(who(t, "127.0.0.1:8080") == "default\n");
    CHECK(&t.choose("nowhere") == &t.default_site());
}

TEST_CASE("sites: strict hosts answer an unknown Host 421, an absent one the default site") {
    const Hosts h(true);
    const http::SiteTable t(h.cfg);
    CHECK(who(t, "c.example") == "421");
    CHECK(t.choose("c.example").name() == "unknown");
    CHECK(who(t, "a.example") == "a\n");
    CHECK(who(t, "") == "default\n");
}

TEST_CASE("sites: hostile Host values never reach another site's files") {
    const Hosts h(true);
    const http::SiteTable t(h.cfg);
    const std::string nul("a.example\0.b.example", 20);
    for (const std::string& host :
         {std::string(".."), std::string("../b.example"), std::string("a.example/../b"),
          std::string("/"), nul, std::string(300, 'x'), std::string(300, 'x') + ".b.example",
          std::string("a.example.."), std::string("[::1"), std::string(":80"),
          std::string(64 * 1024, 'x'), std::string(64 * 1024, 'x') + ".b.example",
          "a.example" + std::string(64 * 1024, '.'), std::string("a.example\0", 10)}) {
        INFO(host);
        CHECK(who(t, host) == "421");
    }
}

TEST_CASE("sites: a site whose root cannot be opened fails the build of the table") {
    Hosts h;
    h.cfg.sites[1].config.files.root = h.b.path("missing");
    CHECK_THROWS_AS(http::SiteTable(h.cfg), std::system_error);
}
