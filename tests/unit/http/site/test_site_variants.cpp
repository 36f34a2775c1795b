// The sites of one table share one compressed-variant cache: compress-cache bounds the
// process, not each site, and a file two sites serve is compressed once.
#include <catch2/catch.hpp>

#include "http/site/site_table.hpp"
#include "unit/http/compress/decode.hpp"
#include "unit/http/site/site_root.hpp"

namespace {

http::SiteConfig compressing(const test::TempRoot& t) {
    http::SiteConfig cfg = test::spa_config(t);
    cfg.files.compress = {http::Coding::gzip};
    cfg.files.compress_types = {"text/*"};
    return cfg;
}

http::Response gzip_get(const http::SiteTable& t, std::string_view host) {
    http::Request req = test::request("/page.txt");
    req.host = host;
    req.accept_encoding = "gzip";
    http::Response res;
    t.choose(host).handle(req, res);
    return res;
}

}  // namespace

TEST_CASE("sites: one variant cache for the whole table") {
    test::TempRoot shared;
    const std::string page(4096, 'a');
    shared.file("root/page.txt", page);
    http::SiteTableConfig cfg;
    cfg.sites.push_back({{"a.example"}, compressing(shared)});
    cfg.sites.push_back({{"b.example"}, compressing(shared)});
    cfg.default_site = compressing(shared);
    const http::SiteTable t(cfg);

    const http::Response a = gzip_get(t, "a.example");
    REQUIRE(a.status == 200);
    REQUIRE(a.content_encoding == "gzip");
    REQUIRE(a.cached);
    CHECK(test::decode(http::Coding::gzip, a.cached->body) == page);
    // The other site and the default one get the very same cached bytes: no second compression.
    for (const std::string_view host : {"b.example", "unknown.example"}) {
        const http::Response other = gzip_get(t, host);
        REQUIRE(other.cached);
        CHECK(other.cached.get() == a.cached.get());
        CHECK(other.etag.view() == a.etag.view());
    }
    // Two tables (a reload) do not share: the old one is dropped whole.
    const http::SiteTable reloaded(cfg);
    const http::Response fresh = gzip_get(reloaded, "a.example");
    REQUIRE(fresh.cached);
    CHECK(fresh.cached.get() != a.cached.get());
}
