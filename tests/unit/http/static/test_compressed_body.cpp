// Large files compressed as a stream: CompressedBody gives the same bytes as the cached variant
// (so both carry one ETag), in bounded pieces, and fails rather than finish when the file
// shrinks or changes; the static handler streams what the variant cache cannot hold.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <memory>
#include <string>

#include <catch2/catch.hpp>

#include "base/unique_fd.hpp"
#include "http/static/compressed_body.hpp"
#include "http/static/variant_cache.hpp"
#include "unit/http/compress/decode.hpp"
#include "unit/http/static_site.hpp"

namespace {

using http::Coding;
using Status = http::BodyStream::Status;

constexpr std::size_t mib = 1024 * 1024;

// Compressible but not trivially: numbered lines with a little variety.
std::string big_page(std::size_t size) {
    std::string s = "<!doctype html>\n<ul>\n";
    const char* words[] = {"alpha", "bravo", "charlie", "delta", "echo"};
    for (unsigned i = 0; s.size() < size; ++i)
        s += "<li id=\"n" + std::to_string(i) + "\">" + words[(i * 7) % 5] + " " +
             std::to_string(i * 2654435761u) + "</li>\n";
    s.resize(size);
    return s;
}

struct Opened {
    poly::UniqueFd fd;
    struct stat st {};
};

Opened open_file(const std::string& path) {
    Opened o;
    o.fd.reset(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
    REQUIRE(o.fd);
    REQUIRE(::fstat(o.fd.get(), &o.st) == 0);
    return o;
}

struct Drained {
    std::string body;
    Status last = Status::more;
    int fills = 0;
    std::size_t largest_fill = 0;
};

// Pulls the stream to its end, as the Connection would, one fill per sent piece. `between`
// runs after the first fill (the first piece is on the wire).
template <class F>
Drained drain(http::BodyStream& s, F between) {
    Drained d;
    while (d.last == Status::more) {
        std::string piece;
        d.last = s.fill(piece);
        ++d.fills;
        if (d.last == Status::more) CHECK_FALSE(piece.empty());  // the contract
        if (d.last != Status::failed) d.body += piece;
        d.largest_fill = std::max(d.largest_fill, piece.size());
        if (d.fills == 1) between();
    }
    return d;
}

Drained drain(http::BodyStream& s) {
    return drain(s, [] {});
}

}  // namespace

TEST_CASE("compressed body: the stream is the cached variant, in bounded pieces") {
    test::TempRoot t;
    const std::string page = big_page(mib);
    t.file("root/big.html", page);
    for (const Coding c : {Coding::gzip, Coding::br, Coding::zstd}) {
        INFO(http::coding_name(c));
        Opened f = open_file(t.path("root/big.html"));
        const auto cached = http::compress_variant(f.fd.get(), nullptr, f.st, c);
        REQUIRE(cached);
        http::CachedFile mem;
        mem.body = page;
        const auto from_mem = http::compress_variant(-1, &mem, f.st, c);
        REQUIRE(from_mem);
        const auto stream = http::make_compressed_body(std::move(f.fd), f.st, c);
        const Drained d = drain(*stream);
        REQUIRE(d.last == Status::done);
        // Byte for byte: what lets a streamed and a cached variant share the strong ETag.
        CHECK(d.body == cached->body);
        CHECK(from_mem->body == cached->body);
        CHECK(test::decode(c, d.body) == page);
        // Several pieces, none anywhere near the whole file.
        CHECK(d.fills > 1);
        CHECK(d.largest_fill < page.size() / 4);
    }
}

TEST_CASE("compressed body: a file that shrinks or changes is never finished") {
    test::TempRoot t;
    const std::string page = big_page(mib);
    const std::string path = t.path("root/big.html");
    const timespec later[2] = {{0, UTIME_OMIT}, {2'000'000'000, 0}};
    const auto truncate = [&] { REQUIRE(::truncate(path.c_str(), 100) == 0); };
    // Rewritten in place: the same size, a new mtime.
    const auto touch = [&] { REQUIRE(::utimensat(AT_FDCWD, path.c_str(), later, 0) == 0); };
    for (const Coding c : {Coding::gzip, Coding::zstd}) {
        for (const bool shrink : {true, false}) {
            INFO(http::coding_name(c) << (shrink ? ", truncated" : ", touched"));
            t.file("root/big.html", page);
            Opened f = open_file(path);
            const auto s = http::make_compressed_body(std::move(f.fd), f.st, c);
            const Drained d = shrink ? drain(*s, truncate) : drain(*s, touch);
            CHECK(d.last == Status::failed);
            CHECK(test::decode(c, d.body) == "<corrupt>");  // no trailer: visibly incomplete
        }
    }
}

namespace {

struct BigSite {
    test::TempRoot tmp;
    std::string page = big_page(mib);
    http::StaticHandler small_cache;  // variants up to 8 KiB: the page streams
    http::StaticHandler large_cache;  // variants up to 2 MiB: the page is cached

    static http::StaticConfig config(const test::TempRoot& t, std::size_t cache) {
        http::StaticConfig cfg = test::site_config(t);
        cfg.compress = {Coding::gzip, Coding::br};
        cfg.compress_types = {"text/*"};
        cfg.compress_cache = cache;
        return cfg;
    }
    BigSite()
        : small_cache((tmp.file("root/big.html", page), config(tmp, 64 * 1024))),
          large_cache(config(tmp, 16 * mib)) {}

    static http::Response fetch(const http::StaticHandler& h, std::string_view ae,
                                std::string_view extra = {}, http::Method m = http::Method::get) {
        http::Request req = test::make_request("/big.html", m);
        req.accept_encoding = ae;
        if (extra.starts_with("bytes=")) req.range = extra;
        if (extra.starts_with("\"")) req.if_none_match = extra;
        return test::run(h, req);
    }
};

}  // namespace

TEST_CASE("static handler: a file the variant cache cannot hold is streamed") {
    BigSite s;
    http::Response res = BigSite::fetch(s.small_cache, "gzip");
    CHECK(res.status == 200);
    CHECK(res.content_encoding == "gzip");
    CHECK(res.vary_accept_encoding);
    CHECK(res.pieces.empty());
    REQUIRE(res.stream);
    CHECK(std::string(res.etag.view()).ends_with("-gzip\""));
    const Drained d = drain(*res.stream);
    REQUIRE(d.last == Status::done);
    CHECK(test::decode(Coding::gzip, d.body) == s.page);

    // A cache large enough holds the same variant under the same ETag: a client or proxy
    // that has one may revalidate against the other.
    const http::Response cached = BigSite::fetch(s.large_cache, "gzip");
    CHECK_FALSE(cached.stream);
    REQUIRE(cached.cached);
    CHECK(cached.etag.view() == res.etag.view());
    CHECK(cached.cached->body == d.body);

    // HEAD: the same fields (the Connection drops the stream unread).
    const http::Response head = BigSite::fetch(s.small_cache, "gzip", {}, http::Method::head);
    CHECK(head.etag.view() == res.etag.view());
    CHECK(head.content_encoding == "gzip");
    CHECK(head.stream);
}

TEST_CASE("static handler: conditionals, Range and identity never stream") {
    BigSite s;
    const http::Response gz = BigSite::fetch(s.small_cache, "br, gzip;q=0.5");
    REQUIRE(gz.stream);
    const std::string etag(gz.etag.view());
    CHECK(etag.ends_with("-gzip\""));
    // 304 from the ETag alone: nothing compressed.
    const http::Response not_modified = BigSite::fetch(s.small_cache, "gzip", etag);
    CHECK(not_modified.status == 304);
    CHECK_FALSE(not_modified.stream);
    CHECK(not_modified.vary_accept_encoding);
    // Another coding's tag does not match.
    CHECK(BigSite::fetch(s.large_cache, "br", etag).status == 200);
    // Range: the identity file's bytes, as nginx does.
    const http::Response range = BigSite::fetch(s.small_cache, "br", "bytes=0-99");
    CHECK(range.status == 206);
    CHECK_FALSE(range.stream);
    CHECK(range.content_encoding.empty());
    CHECK(test::body_of(range) == s.page.substr(0, 100));
    // A client that accepts no offered coding gets the file with its length; so does one
    // that accepts only Brotli or zstd, which a stream never uses (their state per connection
    // is megabytes), while the cache's variant of the same file would be Brotli.
    for (const std::string_view ae : {"deflate", "br", "zstd, br"}) {
        const http::Response plain = BigSite::fetch(s.small_cache, ae);
        CHECK_FALSE(plain.stream);
        CHECK(plain.content_encoding.empty());
        CHECK(plain.vary_accept_encoding);
        CHECK(plain.body_length() == s.page.size());
    }
    CHECK(BigSite::fetch(s.large_cache, "br").content_encoding == "br");
}
