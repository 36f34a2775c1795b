// ETag formatting, precondition evaluation and If-Range (RFC 9110 §13).
#include <string>

#include <catch2/catch.hpp>

#include "http/fields/conditional.hpp"
#include "http/fields/http_date.hpp"

using http::Conditions;
using http::ETag;
using http::evaluate_preconditions;
using http::if_range_allows;
using http::Precondition;
using http::Validators;

namespace {

constexpr std::time_t lm = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT
const std::string lm_str = "Sun, 06 Nov 1994 08:49:37 GMT";
const std::string etag = "\"abc-10-ff\"";

Validators validators() { return Validators{etag, lm}; }

std::string date(std::time_t t) {
    std::string s(http::http_date_length, ' ');
    http::format_http_date(t, s.data());
    return s;
}

Precondition none_match(std::string_view v) {
    Conditions c;
    c.if_none_match = v;
    return evaluate_preconditions(c, validators());
}

Precondition match(std::string_view v) {
    Conditions c;
    c.if_match = v;
    return evaluate_preconditions(c, validators());
}

}  // namespace

TEST_CASE("conditional: ETag::from_file", "[conditional]") {
    CHECK(ETag{}.empty());
    const ETag t = ETag::from_file(0x1a2b, 0x3c4d, 0x5e6f);
    CHECK_FALSE(t.empty());
    CHECK(t.view() == "\"1a2b-3c4d-5e6f\"");
    CHECK(ETag::from_file(0, 0, 0).view() == "\"0-0-0\"");
    const ETag big = ETag::from_file(UINT64_MAX, UINT64_MAX, INT64_MIN);
    CHECK(big.view() == "\"ffffffffffffffff-ffffffffffffffff-8000000000000000\"");
    // Any change of inode, size or mtime changes the tag.
    CHECK(ETag::from_file(1, 2, 3).view() != ETag::from_file(1, 2, 4).view());
    CHECK(ETag::from_file(1, 2, 3).view() != ETag::from_file(1, 3, 3).view());
    CHECK(ETag::from_file(1, 2, 3).view() != ETag::from_file(2, 2, 3).view());
}

TEST_CASE("conditional: no conditions proceed", "[conditional]") {
    CHECK(evaluate_preconditions(Conditions{}, validators()) == Precondition::proceed);
}

TEST_CASE("conditional: If-None-Match", "[conditional]") {
    CHECK(none_match(etag) == Precondition::not_modified);
    CHECK(none_match("*") == Precondition::not_modified);
    CHECK(none_match(" * ") == Precondition::not_modified);
    CHECK(none_match("W/" + etag) == Precondition::not_modified);  // weak comparison
    CHECK(none_match("\"x\", " + etag) == Precondition::not_modified);
    CHECK(none_match("\"x\"," + etag + ",\"y\"") == Precondition::not_modified);
    CHECK(none_match("\"x\" ,\t W/" + etag + " ") == Precondition::not_modified);
    CHECK(none_match(" , ," + etag + ",,") == Precondition::not_modified);
    // Malformed members are skipped; a later good one still counts.
    CHECK(none_match("garbage, " + etag) == Precondition::not_modified);
    CHECK(none_match("\"unterminated, " + etag) == Precondition::not_modified);
    CHECK(none_match("\"x\"junk, " + etag) == Precondition::not_modified);
    CHECK(none_match("w/" + etag) == Precondition::proceed);  // "W/" is case-sensitive
    CHECK(none_match("\"x\"") == Precondition::proceed);
    CHECK(none_match("\"abc-10-f\"") == Precondition::proceed);
    CHECK(none_match("abc-10-ff") == Precondition::proceed);  // unquoted
    CHECK(none_match(etag + "junk") == Precondition::proceed);
    CHECK(none_match("\"x\", *") == Precondition::proceed);  // "*" is not a list member
    CHECK(none_match("\"abc 10\"") == Precondition::proceed);
    CHECK(none_match(",") == Precondition::proceed);
}

TEST_CASE("conditional: If-None-Match takes precedence over If-Modified-Since", "[conditional]") {
    Conditions c;
    c.if_none_match = "\"other\"";
    c.if_modified_since = lm_str;  // would give 304 on its own
    CHECK(evaluate_preconditions(c, validators()) == Precondition::proceed);
    c.if_none_match = etag;
    const std::string d1 = date(lm - 100);  // Conditions holds views: keep the strings alive
    c.if_modified_since = d1;
    CHECK(evaluate_preconditions(c, validators()) == Precondition::not_modified);
}

TEST_CASE("conditional: If-Modified-Since", "[conditional]") {
    Conditions c;
    c.if_modified_since = lm_str;
    CHECK(evaluate_preconditions(c, validators()) == Precondition::not_modified);
    const std::string d2 = date(lm + 3600);
    c.if_modified_since = d2;
    CHECK(evaluate_preconditions(c, validators()) == Precondition::not_modified);
    const std::string d3 = date(lm - 1);
    c.if_modified_since = d3;
    CHECK(evaluate_preconditions(c, validators()) == Precondition::proceed);
    c.if_modified_since = "Sunday, 06-Nov-94 08:49:37 GMT";
    CHECK(evaluate_preconditions(c, validators()) == Precondition::not_modified);
    c.if_modified_since = "Sun Nov  6 08:49:37 1994";
    CHECK(evaluate_preconditions(c, validators()) == Precondition::not_modified);
    c.if_modified_since = "not a date";
    CHECK(evaluate_preconditions(c, validators()) == Precondition::proceed);
    const std::string d4 = lm_str + " junk";
    c.if_modified_since = d4;
    CHECK(evaluate_preconditions(c, validators()) == Precondition::proceed);
    // A date in the future is ignored, even though last_modified <= date.
    const std::string d5 = date(std::time(nullptr) + 86400);
    c.if_modified_since = d5;
    CHECK(evaluate_preconditions(c, validators()) == Precondition::proceed);
    // The current time itself is not in the future.
    Validators recent{etag, std::time(nullptr) - 10};
    const std::string d6 = date(std::time(nullptr));
    c.if_modified_since = d6;
    CHECK(evaluate_preconditions(c, recent) == Precondition::not_modified);
}

TEST_CASE("conditional: If-Match", "[conditional]") {
    CHECK(match(etag) == Precondition::proceed);
    CHECK(match("*") == Precondition::proceed);
    CHECK(match("\"x\", " + etag) == Precondition::proceed);
    CHECK(match("W/" + etag) == Precondition::failed);  // strong comparison
    CHECK(match("\"x\"") == Precondition::failed);
    CHECK(match("garbage") == Precondition::failed);
    CHECK(match("\"x\", W/" + etag) == Precondition::failed);
    // With no ETag of our own, no list can match.
    Conditions c;
    c.if_match = "\"\"";
    CHECK(evaluate_preconditions(c, Validators{"", lm}) == Precondition::failed);
}

TEST_CASE("conditional: If-Unmodified-Since", "[conditional]") {
    Conditions c;
    c.if_unmodified_since = lm_str;
    CHECK(evaluate_preconditions(c, validators()) == Precondition::proceed);
    const std::string d7 = date(lm + 1);
    c.if_unmodified_since = d7;
    CHECK(evaluate_preconditions(c, validators()) == Precondition::proceed);
    const std::string d8 = date(lm - 1);
    c.if_unmodified_since = d8;
    CHECK(evaluate_preconditions(c, validators()) == Precondition::failed);
    c.if_unmodified_since = "garbage";  // unparseable: ignored
    CHECK(evaluate_preconditions(c, validators()) == Precondition::proceed);
    // Only evaluated without If-Match.
    const std::string d9 = date(lm - 1);
    c.if_unmodified_since = d9;
    c.if_match = etag;
    CHECK(evaluate_preconditions(c, validators()) == Precondition::proceed);
}

TEST_CASE("conditional: 412 is decided before 304", "[conditional]") {
    Conditions c;
    c.if_match = "\"nope\"";
    c.if_none_match = etag;
    CHECK(evaluate_preconditions(c, validators()) == Precondition::failed);
    c.if_match = etag;
    CHECK(evaluate_preconditions(c, validators()) == Precondition::not_modified);
    Conditions d;
    const std::string d10 = date(lm - 1);
    d.if_unmodified_since = d10;
    d.if_modified_since = lm_str;
    CHECK(evaluate_preconditions(d, validators()) == Precondition::failed);
}

TEST_CASE("conditional: If-Range", "[conditional]") {
    const Validators v = validators();
    CHECK(if_range_allows("", v));
    CHECK(if_range_allows(etag, v));
    CHECK(if_range_allows(" " + etag + " ", v));
    CHECK_FALSE(if_range_allows("W/" + etag, v));  // weak never
    CHECK_FALSE(if_range_allows("\"other\"", v));
    CHECK_FALSE(if_range_allows(etag + ", \"x\"", v));  // a single tag, not a list
    CHECK_FALSE(if_range_allows("\"abc-10-ff", v));
    CHECK_FALSE(if_range_allows("W/", v));
    CHECK(if_range_allows(lm_str, v));
    CHECK(if_range_allows("Sunday, 06-Nov-94 08:49:37 GMT", v));
    CHECK_FALSE(if_range_allows(date(lm + 1), v));  // must be exactly equal
    CHECK_FALSE(if_range_allows(date(lm - 1), v));
    CHECK_FALSE(if_range_allows("yesterday", v));
    CHECK_FALSE(if_range_allows("abc-10-ff", v));
    CHECK_FALSE(if_range_allows(etag, Validators{"", lm}));
}
