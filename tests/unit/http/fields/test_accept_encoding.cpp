// Accept-Encoding reduced to "may we send br / gzip".
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
