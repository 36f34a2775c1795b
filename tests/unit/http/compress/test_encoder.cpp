// The encoders: every coding round-trips through its decoder, whole or fed in pieces, for
// text, incompressible bytes (output larger than one step of the output buffer) and nothing.
#include <random>

#include <catch2/catch.hpp>

#include "http/compress/encoder.hpp"
#include "unit/http/compress/decode.hpp"

namespace {

using http::Coding;

std::string html_page(std::size_t size) {
    std::string s = "<!doctype html><html><body>\n";
    for (int i = 0; s.size() < size; ++i)
        s += "<p class=\"row\">Line " + std::to_string(i) + " of a page that repeats itself.</p>\n";
    s.resize(size);
    return s;
}

std::string random_bytes(std::size_t size) {
    std::mt19937 gen(42);  // fixed seed: the same bytes on every run
    std::string s(size, '\0');
    for (char& c : s) c = static_cast<char>(gen() & 0xff);
    return s;
}

std::string compress_in_pieces(Coding c, std::string_view in, std::size_t piece) {
    const std::unique_ptr<http::Encoder> e = http::make_encoder(c, http::default_level(c));
    REQUIRE(e);
    std::string out;
    for (std::size_t i = 0; i < in.size(); i += piece) REQUIRE(e->feed(in.substr(i, piece), out));
    REQUIRE(e->finish(out));
    return out;
}

}  // namespace

TEST_CASE("encoder: each coding round-trips through its decoder") {
    const std::string page = html_page(100 * 1024);
    const std::string noise = random_bytes(200 * 1024);
    for (const Coding c : {Coding::gzip, Coding::br, Coding::zstd}) {
        INFO("coding " << http::coding_name(c));
        std::string out;
        REQUIRE(http::compress_string(c, page, out));
        CHECK(out.size() < page.size() / 4);  // a repetitive page shrinks a lot
        CHECK(test::decode(c, out) == page);

        out.clear();
        REQUIRE(http::compress_string(c, noise, out));
        CHECK(test::decode(c, out) == noise);

        out.clear();
        REQUIRE(http::compress_string(c, "", out));
        CHECK_FALSE(out.empty());  // a valid empty stream still has a header and trailer
        CHECK(test::decode(c, out).empty());

        for (const std::size_t piece : {std::size_t{1}, std::size_t{7 * 1024 + 3}}) {
            INFO("pieces of " << piece);
            const std::string in = piece == 1 ? page.substr(0, 5000) : page;
            CHECK(test::decode(c, compress_in_pieces(c, in, piece)) == in);
        }
    }
}

TEST_CASE("encoder: output is appended, not overwritten") {
    std::string out = "prefix";
    REQUIRE(http::compress_string(Coding::gzip, "hello hello hello", out));
    REQUIRE(out.substr(0, 6) == "prefix");
    CHECK(test::decode(Coding::gzip, std::string_view(out).substr(6)) == "hello hello hello");
}

TEST_CASE("encoder: gzip output carries the gzip wrapper") {
    std::string out;
    REQUIRE(http::compress_string(Coding::gzip, "abc", out));
    REQUIRE(out.size() > 2);
    CHECK(static_cast<unsigned char>(out[0]) == 0x1f);  // RFC 1952 magic, not zlib's header
    CHECK(static_cast<unsigned char>(out[1]) == 0x8b);
}

TEST_CASE("encoder: identity has no encoder; a corrupt stream does not decode") {
    CHECK(http::make_encoder(Coding::identity, 0) == nullptr);
    std::string none;
    CHECK_FALSE(http::compress_string(Coding::identity, "x", none));
    CHECK(none.empty());
    for (const Coding c : {Coding::gzip, Coding::br, Coding::zstd}) {
        std::string out;
        REQUIRE(http::compress_string(c, html_page(4096), out));
        out.resize(out.size() / 2);
        CHECK(test::decode(c, out) == "<corrupt>");  // the decoder helper can fail a test
    }
}

TEST_CASE("encoder: flush puts out everything fed so far, and the stream goes on") {
    const std::string first = html_page(200 * 1024);
    const std::string second = html_page(50 * 1024);
    for (const Coding c : {Coding::gzip, Coding::br, Coding::zstd}) {
        INFO(http::coding_name(c));
        const std::unique_ptr<http::Encoder> e = http::make_encoder(c, http::default_level(c));
        REQUIRE(e);
        std::string out;
        REQUIRE(e->feed(first, out));  // Brotli may hold all of it: why flush exists
        REQUIRE(e->flush(out));
        CHECK_FALSE(out.empty());
        const std::size_t flushed = out.size();
        REQUIRE(e->flush(out));  // nothing new: harmless
        REQUIRE(e->feed(second, out));
        REQUIRE(e->finish(out));
        CHECK(out.size() > flushed);
        CHECK(test::decode(c, out) == first + second);
    }
}
