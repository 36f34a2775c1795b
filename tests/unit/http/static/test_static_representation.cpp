// StaticHandler: what is sent for a file that exists: conditionals, ranges (single, suffix,
// multipart, unsatisfiable) and precompressed siblings chosen by Accept-Encoding.
#include <catch2/catch.hpp>

#include "http/fields/http_date.hpp"
#include "unit/http/static_site.hpp"

using test::body_of;

namespace {

struct Site {
    test::TempRoot tmp;
    http::StaticHandler handler;
    explicit Site(bool precompressed = true)
        : handler((test::build_site(tmp), config(tmp, precompressed))) {}
    static http::StaticConfig config(const test::TempRoot& t, bool precompressed) {
        http::StaticConfig cfg = test::site_config(t);
        cfg.precompressed = precompressed;
        return cfg;
    }
};

http::Response run_with(const http::StaticHandler& h, std::string_view target,
                        std::string http::Request::*field, std::string_view value,
                        http::Method m = http::Method::get) {
    http::Request req = test::make_request(target, m);
    req.*field = value;
    return test::run(h, req);
}

std::string http_date(std::time_t t) {
    char buf[http::http_date_length];
    http::format_http_date(t, buf);
    return {buf, sizeof buf};
}

}  // namespace

TEST_CASE("static: conditional requests") {
    Site s;
    const http::Response full = test::get(s.handler, "/hello.txt");
    REQUIRE(full.status == 200);
    const std::string etag(full.etag.view());

    SECTION("If-None-Match with the current tag: 304 with validators and no body") {
        for (const http::Method m : {http::Method::get, http::Method::head}) {
            const http::Response res =
                run_with(s.handler, "/hello.txt", &http::Request::if_none_match, etag, m);
            CHECK(res.status == 304);
            CHECK(res.pieces.empty());
            CHECK(res.etag.view() == etag);
            CHECK(res.last_modified == full.last_modified);
        }
    }
    SECTION("If-None-Match with another tag: 200") {
        CHECK(
            run_with(s.handler, "/hello.txt", &http::Request::if_none_match, "\"other\"").status ==
            200);
    }
    SECTION("If-Modified-Since at Last-Modified: 304") {
        const http::Response res =
            run_with(s.handler, "/hello.txt", &http::Request::if_modified_since,
                     http_date(full.last_modified));
        CHECK(res.status == 304);
    }
    SECTION("If-Match mismatch: 412") {
        const http::Response res =
            run_with(s.handler, "/hello.txt", &http::Request::if_match, "\"nope\"");
        CHECK(res.status == 412);
        CHECK(res.etag.empty());
    }
    SECTION("If-Match with the current tag: 200") {
        CHECK(run_with(s.handler, "/hello.txt", &http::Request::if_match, etag).status == 200);
    }
    SECTION("If-Unmodified-Since before Last-Modified: 412") {
        const http::Response res =
            run_with(s.handler, "/hello.txt", &http::Request::if_unmodified_since, http_date(1000));
        CHECK(res.status == 412);
    }
}

TEST_CASE("static: single ranges") {
    Site s;
    auto range = [&](std::string_view value) {
        return run_with(s.handler, "/digits.txt", &http::Request::range, value);
    };
    SECTION("first bytes") {
        const http::Response res = range("bytes=0-9");
        CHECK(res.status == 206);
        CHECK(res.content_range == "bytes 0-9/100");
        REQUIRE(res.pieces.size() == 1);
        CHECK(res.pieces[0].kind == http::BodyPiece::Kind::file);
        CHECK(body_of(res) == "0123456789");
        CHECK(res.content_type == "text/plain; charset=utf-8");
        CHECK(res.accept_ranges);
    }
    SECTION("suffix") {
        const http::Response res = range("bytes=-5");
        CHECK(res.status == 206);
        CHECK(res.content_range == "bytes 95-99/100");
        CHECK(body_of(res) == "56789");
    }
    SECTION("open-ended") {
        const http::Response res = range("bytes=93-");
        CHECK(res.status == 206);
        CHECK(res.content_range == "bytes 93-99/100");
        CHECK(body_of(res) == "3456789");
    }
    SECTION("unsatisfiable: 416 with bytes */size") {
        const http::Response res = range("bytes=100-200");
        CHECK(res.status == 416);
        CHECK(res.content_range == "bytes */100");
        CHECK(res.pieces.size() == 1);
        CHECK(res.pieces[0].kind == http::BodyPiece::Kind::text);
    }
    SECTION("malformed or another unit: the whole file") {
        for (const char* v : {"bytes=abc", "items=0-1", "bytes=5-1"}) {
            INFO(v);
            const http::Response res = range(v);
            CHECK(res.status == 200);
            CHECK(res.content_range.empty());
            CHECK(res.body_length() == 100);
        }
    }
    SECTION("an empty file cannot satisfy a range") {
        const http::Response res =
            run_with(s.handler, "/empty.txt", &http::Request::range, "bytes=0-0");
        CHECK(res.status == 416);
        CHECK(res.content_range == "bytes */0");
    }
}

TEST_CASE("static: multiple ranges give multipart/byteranges") {
    Site s;
    const http::Response res =
        run_with(s.handler, "/digits.txt", &http::Request::range, "bytes=0-1, 5-6");
    REQUIRE(res.status == 206);
    CHECK(res.content_range.empty());
    const std::string_view prefix = "multipart/byteranges; boundary=";
    REQUIRE(res.content_type.substr(0, prefix.size()) == prefix);
    const std::string boundary(res.content_type.substr(prefix.size()));
    CHECK(boundary.size() == 20);
    CHECK(boundary.find_first_not_of("0123456789abcdef") == std::string::npos);
    const std::string part_type = "\r\nContent-Type: text/plain; charset=utf-8\r\n";
    const std::string expected = "\r\n--" + boundary + part_type +
                                 "Content-Range: bytes 0-1/100\r\n\r\n01" + "\r\n--" + boundary +
                                 part_type + "Content-Range: bytes 5-6/100\r\n\r\n56" + "\r\n--" +
                                 boundary + "--\r\n";
    CHECK(body_of(res) == expected);
    CHECK(res.body_length() == expected.size());
    REQUIRE(res.pieces.size() == 5);
    CHECK(res.pieces[1].kind == http::BodyPiece::Kind::file);
    CHECK(res.pieces[3].kind == http::BodyPiece::Kind::file);

    // Same boundary for every response of this process: the content type is a static view.
    const http::Response again =
        run_with(s.handler, "/digits.txt", &http::Request::range, "bytes=0-0,2-2");
    CHECK(again.content_type == res.content_type);

    // Overlapping ranges are merged by evaluate_range: one part, not a multipart body.
    const http::Response merged =
        run_with(s.handler, "/digits.txt", &http::Request::range, "bytes=0-5,3-9");
    CHECK(merged.status == 206);
    CHECK(merged.content_range == "bytes 0-9/100");
}

TEST_CASE("static: If-Range") {
    Site s;
    const http::Response full = test::get(s.handler, "/digits.txt");
    auto with_if_range = [&](std::string_view if_range) {
        http::Request req = test::make_request("/digits.txt");
        req.range = "bytes=0-4";
        req.if_range = if_range;
        return test::run(s.handler, req);
    };
    CHECK(with_if_range(full.etag.view()).status == 206);
    CHECK(with_if_range(http_date(full.last_modified)).status == 206);
    const http::Response stale = with_if_range("\"stale\"");
    CHECK(stale.status == 200);
    CHECK(stale.body_length() == 100);
    CHECK(with_if_range(http_date(1000)).status == 200);
}

TEST_CASE("static: precompressed siblings follow Accept-Encoding") {
    Site s;
    auto fetch = [&](std::string_view path, std::string_view ae) {
        return run_with(s.handler, path, &http::Request::accept_encoding, ae);
    };
    const http::Response identity = fetch("/comp.js", "");
    CHECK(identity.content_encoding.empty());
    CHECK(identity.vary_accept_encoding);
    CHECK(body_of(identity) == "var x = 1;\n");

    struct Case {
        const char* ae;
        const char* encoding;
        const char* body;
    };
    const Case cases[] = {
        {"gzip, deflate, br", "br", "BROTLI"},
        {"br", "br", "BROTLI"},
        {"BR;Q=1", "br", "BROTLI"},
        {"gzip", "gzip", "GZIPPED"},
        {"x-gzip", "gzip", "GZIPPED"},
        {"br;q=0, gzip", "gzip", "GZIPPED"},
        {"br; q=0.000, gzip;q=0.5", "gzip", "GZIPPED"},
        {"*", "br", "BROTLI"},
        {"*, br;q=0", "gzip", "GZIPPED"},
        {"*;q=0", "", "var x = 1;\n"},
        {"br;q=0, gzip;q=0", "", "var x = 1;\n"},
        {"br;q=2, gzip;q=0", "", "var x = 1;\n"},  // malformed q refuses br
        {"identity", "", "var x = 1;\n"},
        {"deflate", "", "var x = 1;\n"},
    };
    for (const Case& c : cases) {
        INFO("Accept-Encoding: " << c.ae);
        const http::Response res = fetch("/comp.js", c.ae);
        CHECK(res.status == 200);
        CHECK(res.content_encoding == c.encoding);
        CHECK(res.vary_accept_encoding);
        CHECK(res.content_type == "text/javascript; charset=utf-8");  // the original's type
        CHECK(body_of(res) == c.body);
    }

    // Each representation has its own validator.
    const http::Response br = fetch("/comp.js", "br");
    const http::Response gz = fetch("/comp.js", "gzip");
    CHECK(br.etag.view() != identity.etag.view());
    CHECK(gz.etag.view() != br.etag.view());

    SECTION("only a .gz sibling") {
        const http::Response res = fetch("/only_gz.css", "br");
        CHECK(res.content_encoding.empty());
        CHECK(res.vary_accept_encoding);
        CHECK(fetch("/only_gz.css", "br, gzip").content_encoding == "gzip");
    }
    SECTION("no sibling: no Vary") {
        const http::Response res = fetch("/hello.txt", "br, gzip");
        CHECK(res.content_encoding.empty());
        CHECK_FALSE(res.vary_accept_encoding);
    }
    SECTION("ranges and conditionals apply to the chosen representation") {
        http::Request req = test::make_request("/comp.js");
        req.accept_encoding = "br";
        req.range = "bytes=0-1";
        const http::Response part = test::run(s.handler, req);
        CHECK(part.status == 206);
        CHECK(part.content_range == "bytes 0-1/6");
        CHECK(part.content_encoding == "br");
        CHECK(body_of(part) == "BR");
        req.range.clear();
        req.if_none_match = br.etag.view();
        const http::Response nm = test::run(s.handler, req);
        CHECK(nm.status == 304);
        CHECK(nm.vary_accept_encoding);
        req.accept_encoding = "gzip";
        CHECK(test::run(s.handler, req).status == 200);
    }
    SECTION("HEAD matches GET") {
        const http::Response head = run_with(s.handler, "/comp.js", &http::Request::accept_encoding,
                                             "br", http::Method::head);
        CHECK(head.content_encoding == "br");
        CHECK(head.body_length() == br.body_length());
        CHECK(head.etag.view() == br.etag.view());
    }
}

TEST_CASE("static: precompressed off ignores siblings") {
    Site s(false);
    const http::Response res =
        run_with(s.handler, "/comp.js", &http::Request::accept_encoding, "br, gzip");
    CHECK(res.content_encoding.empty());
    CHECK_FALSE(res.vary_accept_encoding);
    CHECK(body_of(res) == "var x = 1;\n");
}
