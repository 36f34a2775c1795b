// append_response_head(): the fields a response carries, in the order the serializer writes.
#include <catch2/catch.hpp>

#include "http/proto/response.hpp"
#include "http/proto/response_head.hpp"

namespace {

std::string head_of(const http::Response& res) {
    std::string out;
    http::append_response_head(out, res, http::HeadOptions{});
    return out;
}

}  // namespace

TEST_CASE("Vary names Accept-Encoding, Origin or both in one field", "[response_head]") {
    http::Response res;
    CHECK(head_of(res).find("Vary:") == std::string::npos);
    res.vary_accept_encoding = true;
    CHECK(head_of(res).find("\r\nVary: Accept-Encoding\r\n") != std::string::npos);
    res.vary_origin = true;
    CHECK(head_of(res).find("\r\nVary: Accept-Encoding, Origin\r\n") != std::string::npos);
    res.vary_accept_encoding = false;
    CHECK(head_of(res).find("\r\nVary: Origin\r\n") != std::string::npos);
}

TEST_CASE("extra headers follow the serializer's own, in order, and reset() drops them",
          "[response_head]") {
    http::Response res;
    res.extra_headers = {{"Cache-Control", "max-age=60"}, {"X-Frame-Options", "DENY"}};
    const std::string head = head_of(res);
    const auto cache = head.find("\r\nCache-Control: max-age=60\r\n");
    const auto frame = head.find("\r\nX-Frame-Options: DENY\r\n");
    REQUIRE(cache != std::string::npos);
    REQUIRE(frame != std::string::npos);
    CHECK(cache < frame);
    CHECK(head.find("Content-Length: 0") < cache);
    CHECK(head.ends_with("\r\n\r\n"));
    res.reset();
    CHECK(head_of(res).find("Cache-Control") == std::string::npos);
}
