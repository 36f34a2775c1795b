// StaticHandler with compression on the fly: which coding a request gets, what is never
// compressed, validators and Vary per variant, precompressed siblings first, and a file that
// changes between two requests.
#include <fcntl.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include "http/fields/http_date.hpp"
#include "unit/http/compress/decode.hpp"
#include "unit/http/static_site.hpp"

using http::Coding;
using test::body_of;

namespace {

std::string page(std::size_t size, std::string_view word = "page") {
    std::string s = "<!doctype html>\n";
    for (int i = 0; s.size() < size; ++i)
        s += "<p>" + std::string(word) + " line " + std::to_string(i) + "</p>\n";
    s.resize(size);
    return s;
}

struct Site {
    test::TempRoot tmp;
    http::StaticHandler handler;
    explicit Site(std::vector<Coding> offered = {Coding::br, Coding::zstd, Coding::gzip})
        : handler((build(tmp), config(tmp, std::move(offered)))) {}

    static void build(const test::TempRoot& t) {
        t.file("root/page.html", page(20 * 1024));  // above the small-file cache's 16 KiB
        t.file("root/small.html", page(4 * 1024));  // served from the small-file cache
        t.file("root/tiny.txt", "too small to be worth it\n");
        t.file("root/image.png", page(4 * 1024));   // not a compressible type
        t.file("root/big.html", page(150 * 1024));  // above compress_max_size
        t.file("root/app.js", page(2048, "js"));
        t.file("root/app.js.br", "BROTLI SIBLING");
        t.file("root/only.css.gz", "GZIP ONLY");
    }
    static http::StaticConfig config(const test::TempRoot& t, std::vector<Coding> offered) {
        http::StaticConfig cfg = test::site_config(t);
        cfg.compress = std::move(offered);
        cfg.compress_types = {"text/*", "application/javascript"};
        cfg.compress_cache = 800 * 1024;  // variants up to 100 KiB
        cfg.compress_max_size = 128 * 1024;
        return cfg;
    }

    http::Response fetch(std::string_view path, std::string_view ae,
                         http::Method m = http::Method::get) const {
        http::Request req = test::make_request(path, m);
        req.accept_encoding = ae;
        return test::run(handler, req);
    }
    // GET with If-None-Match: `tag`.
    http::Response revalidate(std::string_view path, std::string_view ae,
                              std::string_view tag) const {
        http::Request req = test::make_request(path);
        req.accept_encoding = ae;
        req.if_none_match = tag;
        return test::run(handler, req);
    }
};

Coding coding_of(const http::Response& res) {
    return http::coding_from_name(res.content_encoding).value_or(Coding::identity);
}

}  // namespace

TEST_CASE("compress: the variant follows the client's q-values") {
    Site s;
    const std::string original = page(20 * 1024);
    const http::Response identity = s.fetch("/page.html", "");
    CHECK(identity.content_encoding.empty());
    CHECK(identity.vary_accept_encoding);  // another client would get a variant
    struct Case {
        const char* ae;
        Coding expected;
    };
    const Case cases[] = {
        {"gzip", Coding::gzip},
        {"gzip, deflate, br, zstd", Coding::br},
        {"gzip;q=0.5, br;q=0.8", Coding::br},
        {"gzip;q=0.9, br;q=0.8, zstd;q=0.85", Coding::gzip},
        {"zstd, gzip", Coding::zstd},
        {"*, br;q=0", Coding::zstd},
        {"deflate", Coding::identity},
        {"identity;q=0, deflate", Coding::identity},  // nothing acceptable: identity, as nginx
        {"gzip;q=0.5, identity", Coding::identity},
        // identity;q=0 refuses the file as it is: whatever coding is acceptable is sent.
        {"gzip, identity;q=0", Coding::gzip},
        {"identity;q=0, gzip;q=0.1", Coding::gzip},
        {"*;q=0, zstd", Coding::zstd},
        {"identity;q=0, *;q=0.2, br;q=0, zstd;q=0", Coding::gzip},
    };
    for (const Case& c : cases) {
        INFO("Accept-Encoding: " << c.ae);
        const http::Response res = s.fetch("/page.html", c.ae);
        REQUIRE(res.status == 200);
        CHECK(coding_of(res) == c.expected);
        CHECK(res.vary_accept_encoding);
        CHECK(res.content_type == "text/html; charset=utf-8");
        CHECK(test::decode(coding_of(res), body_of(res)) == original);
        if (c.expected != Coding::identity) {
            CHECK(res.body_length() < original.size() / 3);
            const std::string expected_tag =
                std::string(identity.etag.view())
                    .insert(identity.etag.view().size() - 1,
                            "-" + std::string(http::coding_name(c.expected)));
            CHECK(res.etag.view() == expected_tag);
        } else {
            CHECK(res.etag.view() == identity.etag.view());
        }
    }
}

TEST_CASE("compress: only the offered codings, in the server's order") {
    Site s({Coding::gzip});
    CHECK(coding_of(s.fetch("/page.html", "br, zstd")) == Coding::identity);
    CHECK(coding_of(s.fetch("/page.html", "br, zstd, gzip;q=0.1")) == Coding::gzip);
    Site off(std::vector<Coding>{});
    const http::Response res = off.fetch("/page.html", "gzip, br");
    CHECK(res.content_encoding.empty());
    CHECK_FALSE(res.vary_accept_encoding);
}

TEST_CASE("compress: conditionals and HEAD agree with GET, per variant") {
    Site s;
    const http::Response br = s.fetch("/page.html", "br");
    const http::Response gz = s.fetch("/page.html", "gzip");
    const http::Response plain = s.fetch("/page.html", "");
    REQUIRE(br.content_encoding == "br");
    CHECK(br.etag.view() != gz.etag.view());
    CHECK(br.etag.view() != plain.etag.view());

    const http::Response nm = s.revalidate("/page.html", "br", br.etag.view());
    CHECK(nm.status == 304);
    CHECK(nm.vary_accept_encoding);
    CHECK(nm.etag.view() == br.etag.view());
    CHECK(nm.pieces.empty());

    // The identity's tag does not match the variant, nor one variant's another's.
    CHECK(s.revalidate("/page.html", "br", plain.etag.view()).status == 200);
    CHECK(s.revalidate("/page.html", "gzip", br.etag.view()).status == 200);
    CHECK(s.revalidate("/page.html", "", br.etag.view()).status == 200);

    const http::Response head = s.fetch("/page.html", "br", http::Method::head);
    CHECK(head.status == 200);
    CHECK(head.content_encoding == "br");
    CHECK(head.etag.view() == br.etag.view());
    CHECK(head.body_length() == br.body_length());
    CHECK(head.vary_accept_encoding);
}

TEST_CASE("compress: a Range request gets the identity file") {
    Site s;
    http::Request req = test::make_request("/page.html");
    req.accept_encoding = "gzip, br";
    req.range = "bytes=0-14";
    const http::Response res = test::run(s.handler, req);
    CHECK(res.status == 206);
    CHECK(res.content_encoding.empty());
    CHECK(res.vary_accept_encoding);
    CHECK(body_of(res) == "<!doctype html>");
    CHECK(res.etag.view() == s.fetch("/page.html", "").etag.view());
}

TEST_CASE("compress: what is never compressed") {
    Site s;
    for (const char* path : {"/tiny.txt", "/image.png", "/big.html"}) {
        INFO(path);
        const http::Response res = s.fetch(path, "gzip, br, zstd");
        CHECK(res.status == 200);
        CHECK(res.content_encoding.empty());
        CHECK_FALSE(res.vary_accept_encoding);  // no client would get a variant
    }
    // Listings and errors are not files: no variant either.
    CHECK(s.fetch("/missing.html", "gzip").content_encoding.empty());
}

TEST_CASE("compress: a small file from the small-file cache is compressed too") {
    Site s;
    const std::string original = page(4 * 1024);
    for (int round = 0; round < 2; ++round) {  // the second comes from the small-file cache
        const http::Response res = s.fetch("/small.html", "zstd");
        CHECK(res.content_encoding == "zstd");
        CHECK(test::decode(Coding::zstd, body_of(res)) == original);
        CHECK(s.fetch("/small.html", "").content_encoding.empty());
    }
}

TEST_CASE("compress: precompressed siblings win") {
    Site s;
    const http::Response sib = s.fetch("/app.js", "zstd, br");
    CHECK(sib.content_encoding == "br");
    CHECK(body_of(sib) == "BROTLI SIBLING");
    // The sibling's coding is refused: the original is compressed on the fly.
    const http::Response fly = s.fetch("/app.js", "zstd, br;q=0");
    CHECK(fly.content_encoding == "zstd");
    CHECK(test::decode(Coding::zstd, body_of(fly)) == page(2048, "js"));
    CHECK(fly.vary_accept_encoding);
}

TEST_CASE("compress: a .gz without its original is for gzip clients only") {
    Site s;
    const http::Response gz = s.fetch("/only.css", "gzip");
    CHECK(gz.status == 200);
    CHECK(gz.content_encoding == "gzip");
    CHECK(gz.content_type == "text/css; charset=utf-8");
    CHECK(body_of(gz) == "GZIP ONLY");
    CHECK(gz.vary_accept_encoding);
    for (const char* ae : {"", "br", "gzip;q=0, zstd"}) {
        INFO("Accept-Encoding: " << ae);
        const http::Response res = s.fetch("/only.css", ae);
        CHECK(res.status == 404);
        CHECK(res.vary_accept_encoding);
    }
    CHECK_FALSE(s.fetch("/nothing.css", "gzip").vary_accept_encoding);
}

TEST_CASE("compress: a file changed between two requests gets a new variant and ETag") {
    Site s;
    const http::Response before = s.fetch("/page.html", "gzip");
    REQUIRE(before.content_encoding == "gzip");
    const std::string changed = page(30 * 1024, "changed");
    s.tmp.file("root/page.html", changed);
    const http::Response after = s.fetch("/page.html", "gzip");
    REQUIRE(after.content_encoding == "gzip");
    CHECK(after.etag.view() != before.etag.view());
    CHECK(test::decode(Coding::gzip, body_of(after)) == changed);
    // The old response still holds its bytes (the variant it was given is kept alive).
    CHECK(test::decode(Coding::gzip, body_of(before)) == page(20 * 1024));

    // Same size, only the mtime moves: still a new variant.
    const std::string same_size = page(30 * 1024, "CHANGED");
    s.tmp.file("root/page.html", same_size);
    const struct timespec times[2] = {{0, UTIME_OMIT}, {after.last_modified + 5, 0}};
    REQUIRE(::utimensat(AT_FDCWD, s.tmp.path("root/page.html").c_str(), times, 0) == 0);
    const http::Response third = s.fetch("/page.html", "gzip");
    CHECK(third.etag.view() != after.etag.view());
    CHECK(test::decode(Coding::gzip, body_of(third)) == same_size);
}

TEST_CASE("compress: If-Match, If-Modified-Since and their failures per variant") {
    Site s;
    const http::Response br = s.fetch("/page.html", "br");
    const http::Response plain = s.fetch("/page.html", "");
    REQUIRE(br.content_encoding == "br");
    http::Request req = test::make_request("/page.html");
    req.accept_encoding = "br";
    req.if_match = br.etag.view();
    http::Response res = test::run(s.handler, req);
    CHECK(res.status == 200);
    CHECK(res.content_encoding == "br");
    CHECK(res.body_length() == br.body_length());
    // The identity's tag does not describe the br variant: 412, still varying.
    req.if_match = plain.etag.view();
    res = test::run(s.handler, req);
    CHECK(res.status == 412);
    CHECK(res.vary_accept_encoding);
    req.if_match.clear();
    req.if_modified_since.assign(http::http_date_length, ' ');
    http::format_http_date(br.last_modified, req.if_modified_since.data());
    res = test::run(s.handler, req);
    CHECK(res.status == 304);
    CHECK(res.vary_accept_encoding);
    CHECK(res.etag.view() == br.etag.view());
    req.method = http::Method::head;  // HEAD's conditionals answer as GET's
    CHECK(test::run(s.handler, req).status == 304);
}

TEST_CASE("compress: HEAD and conditionals of a .gz without its original") {
    Site s;
    const http::Response gz = s.fetch("/only.css", "gzip");
    REQUIRE(gz.status == 200);
    const http::Response head = s.fetch("/only.css", "gzip", http::Method::head);
    CHECK(head.status == 200);
    CHECK(head.content_encoding == "gzip");
    CHECK(head.body_length() == gz.body_length());
    CHECK(head.etag.view() == gz.etag.view());
    CHECK(head.vary_accept_encoding);
    CHECK(s.fetch("/only.css", "br", http::Method::head).status == 404);
    const http::Response nm = s.revalidate("/only.css", "gzip", gz.etag.view());
    CHECK(nm.status == 304);
    CHECK(nm.vary_accept_encoding);
}
