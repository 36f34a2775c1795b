// An error page too large for the variant cache is compressed while it is sent: its stream
// must travel with the page's head fields onto the error response, or a client would get
// Content-Encoding: gzip over an empty body.
#include <string>

#include <catch2/catch.hpp>

#include "http/site/rules/error_pages.hpp"
#include "unit/http/compress/decode.hpp"
#include "unit/http/site/site_root.hpp"

TEST_CASE("error pages: a streamed page keeps its body") {
    test::TempRoot tmp;
    test::build_spa(tmp);
    std::string page = "<!doctype html><h1>lost</h1>\n";
    for (int i = 0; page.size() < 64 * 1024; ++i) page += "<p>line " + std::to_string(i) + "</p>\n";
    tmp.file("root/big404.html", page);
    http::StaticConfig cfg = test::site_config(tmp);
    cfg.compress = {http::Coding::gzip};
    cfg.compress_types = {"text/*"};
    cfg.compress_cache = 8 * 1024;  // variants up to 1 KiB: the page streams
    const http::StaticHandler files(cfg);

    http::Request req = test::request("/missing");
    req.accept_encoding = "gzip";
    http::Response res = test::run(files, req);
    REQUIRE(res.status == 404);
    REQUIRE(http::serve_error_page(files, "/big404.html", req, res));
    CHECK(res.status == 404);
    CHECK(res.content_encoding == "gzip");
    REQUIRE(res.stream);
    std::string body, piece;
    http::BodyStream::Status s = http::BodyStream::Status::more;
    while (s == http::BodyStream::Status::more) {
        piece.clear();
        s = res.stream->fill(piece);
        body += piece;
    }
    CHECK(s == http::BodyStream::Status::done);
    CHECK(test::decode(http::Coding::gzip, body) == page);
}
