// Autoindex: what a request asks of a listing (the query string and Accept), and the
// listing as the static handler serves it: content type, Vary, sorting, an empty directory.
#include <catch2/catch.hpp>

#include "http/static/listing/autoindex.hpp"
#include "unit/http/static_site.hpp"

namespace {

using http::ListingFormat;
using http::SortKey;

http::ListingOptions opts(std::string_view target, std::string_view accept = "") {
    return http::listing_options(target, accept);
}

http::Response listing(const http::StaticHandler& h, std::string_view target,
                       std::string_view accept = "") {
    http::Request req = test::make_request(target);
    req.accept = accept;
    return test::run(h, req);
}

bool has_header(const http::Response& res, std::string_view name, std::string_view value) {
    for (const auto& [n, v] : res.extra_headers)
        if (n == name && v == value) return true;
    return false;
}

}  // namespace

TEST_CASE("autoindex options: the query string") {
    const http::ListingOptions d = opts("/d/");
    CHECK(d.sort == SortKey::name);
    CHECK_FALSE(d.descending);
    CHECK(d.format == ListingFormat::html);
    CHECK(d.negotiated);

    CHECK(opts("/d/?sort=size&order=desc").sort == SortKey::size);
    CHECK(opts("/d/?sort=size&order=desc").descending);
    CHECK(opts("/d/?order=desc&sort=date").sort == SortKey::date);
    CHECK(opts("/d/?sort=Name&order=DESC").descending);            // values ignore ASCII case
    CHECK(opts("/d/?sort=size&sort=date").sort == SortKey::date);  // the last one wins
    CHECK(opts("http://h/d/?sort=size").sort == SortKey::size);    // absolute-form
    CHECK(opts("/d/#x?sort=size").sort == SortKey::name);          // a fragment is not a query
    CHECK_FALSE(opts("/d/?sort=size#&order=desc").descending);

    SECTION("unknown keys and values change nothing and are never an error") {
        for (const char* t : {"/d/?sort=bogus&order=sideways", "/d/?sort", "/d/?=size", "/d/?&&",
                              "/d/?sort=size%00", "/d/?SORT=size", "/d/?sort=", "/d/?format=xml",
                              "/d/?order=desc;sort=size"}) {
            INFO(t);
            const http::ListingOptions o = opts(t);
            CHECK(o.sort == SortKey::name);
            CHECK_FALSE(o.descending);
            CHECK(o.format == ListingFormat::html);
            CHECK(o.negotiated);
        }
        CHECK(opts("/d/?sort=size&sort=bogus").sort == SortKey::size);
    }
    SECTION("format in the query wins over Accept, and needs no Vary") {
        const http::ListingOptions j = opts("/d/?format=json", "text/html");
        CHECK(j.format == ListingFormat::json);
        CHECK_FALSE(j.negotiated);
        const http::ListingOptions h = opts("/d/?format=html", "application/json");
        CHECK(h.format == ListingFormat::html);
        CHECK_FALSE(h.negotiated);
        CHECK(opts("/d/?format=bogus", "application/json").format == ListingFormat::json);
    }
}

TEST_CASE("autoindex options: Accept chooses JSON only when it ranks it above HTML") {
    auto json = [](std::string_view accept) { return http::accept_prefers_json(accept); };
    CHECK(json("application/json"));
    CHECK(json("Application/JSON"));
    CHECK(json("application/json, text/plain, */*"));  // axios: explicit beats the wildcard
    CHECK(json("application/*"));
    CHECK(json("text/html;q=0.5, application/json"));
    CHECK(json("application/json;charset=utf-8"));
    CHECK(json("application/json ; q=0.9 , text/*;q=0.8"));

    CHECK_FALSE(json(""));
    CHECK_FALSE(json("*/*"));  // curl: the default
    CHECK_FALSE(json("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"));
    CHECK_FALSE(json("application/json, text/html"));  // a tie: HTML
    CHECK_FALSE(json("application/json;q=0"));
    CHECK_FALSE(json("application/json;q=0.000"));
    CHECK_FALSE(json("application/json;q=2"));  // malformed weight: not acceptable
    CHECK_FALSE(json("application/json;q=0.5x"));
    CHECK_FALSE(json("application/json, application/json;q=0"));  // a refusal wins
    CHECK_FALSE(json("application/json;q=0.5, */*"));
    CHECK_FALSE(json("application/jsonx, text/plain"));
    CHECK_FALSE(json("garbage,,;;q=1,/"));

    // Thousands of entries cost one pass each; the answer is still the right one.
    std::string many;
    for (int i = 0; i < 5000; ++i) many += "text/x-" + std::to_string(i) + ";q=0.1, ";
    CHECK(json(many + "application/json"));
    CHECK_FALSE(json(many + "*/*"));
}

TEST_CASE("autoindex through the handler") {
    test::TempRoot t;
    t.dir("root/d");
    t.file("root/d/big.txt", std::string(3000, 'x'));
    t.file("root/d/small.txt", "1");
    t.file("root/d/100%?.txt", "pq");
    t.dir("root/d/sub");
    t.dir("root/empty");
    http::StaticConfig cfg = test::site_config(t);
    cfg.autoindex = true;
    const http::StaticHandler h(cfg);

    SECTION("HTML by default, varying on Accept") {
        const http::Response res = listing(h, "/d/");
        REQUIRE(res.status == 200);
        CHECK(res.content_type == "text/html; charset=utf-8");
        CHECK(has_header(res, "Vary", "Accept"));
        const std::string body = test::body_of(res);
        CHECK(body.find("title=\"3000 bytes\">2.9K</td>") != std::string::npos);
        CHECK(body.find("href=\"100%25%3F.txt\"") != std::string::npos);
        CHECK(body.find("href=\"sub/\"") < body.find("href=\"100%25%3F.txt\""));
    }
    SECTION("sorted by the query") {
        const std::string body = test::body_of(listing(h, "/d/?sort=size&order=desc"));
        CHECK(body.find("href=\"sub/\"") < body.find("href=\"big.txt\""));
        CHECK(body.find("href=\"big.txt\"") < body.find("href=\"100%25%3F.txt\""));
        CHECK(body.find("href=\"100%25%3F.txt\"") < body.find("href=\"small.txt\""));
    }
    SECTION("JSON for ?format=json or Accept: application/json") {
        const http::Response by_query = listing(h, "/d/?format=json&sort=size");
        CHECK(by_query.content_type == "application/json");
        CHECK_FALSE(has_header(by_query, "Vary", "Accept"));
        const std::string body = test::body_of(by_query);
        CHECK(body.rfind("[\n{\"name\":\"sub\",\"type\":\"directory\"", 0) == 0);
        CHECK(body.find("{\"name\":\"small.txt\",\"type\":\"file\",\"size\":1,") <
              body.find("{\"name\":\"100%?.txt\",\"type\":\"file\",\"size\":2,"));
        const http::Response by_accept = listing(h, "/d/", "application/json");
        CHECK(by_accept.content_type == "application/json");
        CHECK(has_header(by_accept, "Vary", "Accept"));
        CHECK(test::body_of(by_accept).front() == '[');
    }
    SECTION("HEAD has the length of GET") {
        http::Request head = test::make_request("/d/?format=json", http::Method::head);
        CHECK(test::run(h, head).body_length() == listing(h, "/d/?format=json").body_length());
    }
    SECTION("an empty directory") {
        CHECK(test::body_of(listing(h, "/empty/?format=json")) == "[\n]\n");
        const std::string page = test::body_of(listing(h, "/empty/"));
        CHECK(page.find("href=\"../\"") != std::string::npos);
        CHECK(page.find("<td class=\"s\"") == std::string::npos);  // no entry rows
    }
    SECTION("a bad query is never an error") {
        CHECK(listing(h, "/d/?sort=%zz&order=%00&format=").status == 200);
    }
}
