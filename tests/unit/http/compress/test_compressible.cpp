// media_type_matches: which Content-Type values are compressed on the fly.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "http/compress/compressible.hpp"

TEST_CASE("compressible: media types, parameters and top-level wildcards") {
    const std::vector<std::string> types = {"text/*", "application/javascript", "image/svg+xml"};
    CHECK(http::media_type_matches("text/html; charset=utf-8", types));
    CHECK(http::media_type_matches("text/css", types));
    CHECK(http::media_type_matches("TEXT/Plain", types));
    CHECK(http::media_type_matches("application/javascript", types));
    CHECK(http::media_type_matches("Application/JavaScript;charset=utf-8", types));
    CHECK(http::media_type_matches(" image/svg+xml ", types));
    CHECK_FALSE(http::media_type_matches("image/png", types));
    CHECK_FALSE(http::media_type_matches("application/javascriptx", types));
    CHECK_FALSE(http::media_type_matches("application/json", types));
    CHECK_FALSE(http::media_type_matches("textual/html", types));  // "text/*" is not a prefix
    CHECK_FALSE(http::media_type_matches("text", types));
    CHECK_FALSE(http::media_type_matches("", types));
    CHECK_FALSE(http::media_type_matches("/x", types));
    CHECK_FALSE(http::media_type_matches("text/html", {}));
    const std::vector<std::string> any_image = {"image/*"};
    CHECK(http::media_type_matches("image/svg+xml", any_image));
    CHECK_FALSE(http::media_type_matches("text/plain", any_image));
}
