// Accept-Encoding: the negotiation of on-the-fly codings, and "may we send br / gzip" for the
// precompressed siblings.
#include <catch2/catch.hpp>

#include "http/fields/accept_encoding.hpp"

namespace {

std::string accepted(std::string_view header) {
    const http::AcceptedCodings a = http::parse_accept_encoding(header);
    return std::string(a.br ? "br" : "-") + "," + (a.gzip ? "gzip" : "-");
}

}  // namespace

TEST_CASE("accept-encoding: codings, q-values and the wildcard") {
    CHECK(accepted("") == "-,-");
    CHECK(accepted("identity") == "-,-");
    CHECK(accepted("br") == "br,-");
    CHECK(accepted("gzip") == "-,gzip");
    CHECK(accepted("GZip, Br") == "br,gzip");
    CHECK(accepted("x-gzip") == "-,gzip");
    CHECK(accepted(" gzip ;\tq=0.5 , br;q=0.001") == "br,gzip");
    CHECK(accepted("br;q=0, gzip;q=1.0") == "-,gzip");
    CHECK(accepted("br;q=0.000") == "-,-");
    CHECK(accepted("br;Q=1") == "br,-");
    CHECK(accepted("*") == "br,gzip");
    CHECK(accepted("*;q=0") == "-,-");
    CHECK(accepted("*, gzip;q=0") == "br,-");
    CHECK(accepted("br;q=0, *") == "-,gzip");
    CHECK(accepted("br, br;q=0") == "-,-");   // listed twice: the refusal wins
    CHECK(accepted("br;level=5") == "br,-");  // other parameters ignored
    CHECK(accepted(",,, br ,") == "br,-");
    CHECK(accepted("brotli, gzipx") == "-,-");
}

TEST_CASE("accept-encoding: malformed q-values refuse the coding") {
    for (const char* v : {"br;q=", "br;q=2", "br;q=1.5", "br;q=0.0001", "br;q=-1", "br;q=.5",
                          "br;q=abc", "br;q=1.", "br;q=0.5x"}) {
        INFO(v);
        if (std::string_view(v) == "br;q=1.") {
            CHECK(accepted(v) == "br,-");  // "1." is a valid qvalue (zero digits after '.')
        } else {
            CHECK(accepted(v) == "-,-");
        }
    }
}

namespace {

using http::Coding;

constexpr Coding server_order[] = {Coding::br, Coding::zstd, Coding::gzip};

std::string_view chosen(std::string_view header) {
    const Coding c = http::negotiate_encoding(header, server_order);
    return c == Coding::identity ? "identity" : http::coding_name(c);
}

}  // namespace

TEST_CASE("accept-encoding: negotiation by q-value, ties to the server's order") {
    struct Case {
        const char* header;
        const char* expected;
    };
    const Case cases[] = {
        {"", "identity"},  // absent or empty: never compress unasked
        {"identity", "identity"},
        {"gzip", "gzip"},
        {"x-gzip", "gzip"},
        {"gzip, deflate, br", "br"},  // a tie: the server prefers br
        {"gzip, zstd", "zstd"},
        {"br;q=0.5, gzip", "gzip"},  // the client's q decides
        {"br;q=0.5, zstd;q=0.8, gzip;q=0.7", "zstd"},
        {"br;q=0.001, gzip;q=0.002", "gzip"},
        {"BR;Q=1, GZIP;q=1", "br"},
        {"*", "br"},
        {"*;q=0.5, gzip", "gzip"},
        {"*, br;q=0", "zstd"},
        {"*, br;q=0, zstd;q=0", "gzip"},
        {"*;q=0", "identity"},
        {"br;q=0, gzip;q=0, zstd;q=0", "identity"},
        {"br;q=2, gzip;q=0.5", "gzip"},  // malformed q refuses br
        {"deflate, compress", "identity"},
        {"gzip;q=0.5, identity", "identity"},  // the client prefers identity
        {"gzip, identity;q=0.5", "gzip"},
        {"gzip, identity;q=1", "gzip"},  // a tie goes to compression
        {"identity;q=0", "identity"},    // nothing acceptable: still identity
        {"identity;q=0, deflate", "identity"},
        {"identity;q=0, gzip;q=0.1", "gzip"},
        {"br, br;q=0, gzip", "gzip"},  // listed twice: the lower q wins
        {"gzip;q=0.9, gzip;q=0.8, br;q=0.85", "br"},
        {" ,br ; q=0.7 ,, gzip;level=9;q=0.6", "br"},
    };
    for (const Case& c : cases) {
        INFO("Accept-Encoding: " << c.header);
        CHECK(chosen(c.header) == c.expected);
    }
}

TEST_CASE("accept-encoding: only offered codings are chosen, in the offered order") {
    const Coding gzip_only[] = {Coding::gzip};
    CHECK(http::negotiate_encoding("br, zstd", gzip_only) == Coding::identity);
    CHECK(http::negotiate_encoding("br, zstd, gzip;q=0.1", gzip_only) == Coding::gzip);
    const Coding gzip_first[] = {Coding::gzip, Coding::br};
    CHECK(http::negotiate_encoding("br, gzip", gzip_first) == Coding::gzip);
    CHECK(http::negotiate_encoding("br, gzip", {}) == Coding::identity);
}

TEST_CASE("accept-encoding: identity's implicit acceptance (RFC 9110 12.5.3)") {
    using http::AcceptEncoding;
    CHECK(AcceptEncoding::parse("gzip").quality(Coding::identity) == 1000);
    CHECK(AcceptEncoding::parse("*;q=0").quality(Coding::identity) == 0);
    CHECK(AcceptEncoding::parse("*;q=0, identity").quality(Coding::identity) == 1000);
    CHECK(AcceptEncoding::parse("identity;q=0").quality(Coding::identity) == 0);
    CHECK(AcceptEncoding::parse("gzip;q=0.125").quality(Coding::gzip) == 125);
    CHECK(AcceptEncoding::parse("gzip;q=0.5").quality(Coding::gzip) == 500);
    CHECK(AcceptEncoding::parse("gzip;q=1.000").quality(Coding::gzip) == 1000);
    CHECK(AcceptEncoding::parse("gzip;q=1.001").quality(Coding::gzip) == 0);
    CHECK_FALSE(AcceptEncoding::parse("*").names(Coding::gzip));
}

TEST_CASE("accept-encoding: thousands of entries cost one pass and keep their meaning") {
    std::string header;
    for (int i = 0; i < 5000; ++i) header += "foo" + std::to_string(i) + ";q=0.9, ";
    header += "gzip;q=0.2";
    for (int i = 0; i < 5000; ++i) header += ", br;q=0.1";
    CHECK(chosen(header) == "gzip");
    CHECK(http::parse_accept_encoding(header).br);
    std::string refusals(20000 * 8, ' ');
    for (std::size_t i = 0; i + 8 <= refusals.size(); i += 8) refusals.replace(i, 8, "br;q=0, ");
    CHECK(chosen(refusals + "gzip") == "gzip");
    CHECK(chosen(refusals + "br") == "identity");  // the refusal is never overridden
}
