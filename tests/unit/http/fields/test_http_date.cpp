// HTTP-date formatting and parsing (RFC 9110 §5.6.7).
#include <clocale>
#include <cstdint>
#include <random>
#include <string>

#include <catch2/catch.hpp>

#include "http/fields/http_date.hpp"

using http::format_http_date;
using http::http_date_length;
using http::parse_http_date;

namespace {

constexpr std::time_t rfc_example = 784111777;  // Sun, 06 Nov 1994 08:49:37 GMT

std::string fmt(std::time_t t) {
    std::string s(http_date_length, '?');
    format_http_date(t, s.data());
    return s;
}

}  // namespace

TEST_CASE("http_date: format", "[http_date]") {
    CHECK(fmt(rfc_example) == "Sun, 06 Nov 1994 08:49:37 GMT");
    CHECK(fmt(0) == "Thu, 01 Jan 1970 00:00:00 GMT");
    CHECK(fmt(951782400) == "Tue, 29 Feb 2000 00:00:00 GMT");
    CHECK(fmt(1700000000) == "Tue, 14 Nov 2023 22:13:20 GMT");
    CHECK(fmt(2147483647) == "Tue, 19 Jan 2038 03:14:07 GMT");
    CHECK(fmt(-1) == "Wed, 31 Dec 1969 23:59:59 GMT");
    CHECK(fmt(253402300799) == "Fri, 31 Dec 9999 23:59:59 GMT");
    // Out of the four-digit-year range: clamped, still exactly 29 characters.
    CHECK(fmt(253402300800 * 4) == "Fri, 31 Dec 9999 23:59:59 GMT");
}

TEST_CASE("http_date: format ignores the locale", "[http_date]") {
    // If a non-C locale exists, switching to it must not change the output.
    const char* old = std::setlocale(LC_TIME, nullptr);
    const std::string saved = old ? old : "C";
    if (std::setlocale(LC_TIME, "de_DE.UTF-8") || std::setlocale(LC_TIME, "fr_FR.UTF-8")) {
        CHECK(fmt(rfc_example) == "Sun, 06 Nov 1994 08:49:37 GMT");
    }
    std::setlocale(LC_TIME, saved.c_str());
}

TEST_CASE("http_date: the three RFC 9110 forms", "[http_date]") {
    CHECK(parse_http_date("Sun, 06 Nov 1994 08:49:37 GMT") == rfc_example);
    CHECK(parse_http_date("Sunday, 06-Nov-94 08:49:37 GMT") == rfc_example);
    CHECK(parse_http_date("Sun Nov  6 08:49:37 1994") == rfc_example);
    CHECK(parse_http_date("Sun Nov 06 08:49:37 1994") == rfc_example);
    CHECK(parse_http_date("Thu, 01 Jan 1970 00:00:00 GMT") == 0);
    CHECK(parse_http_date("Wed Dec 31 23:59:59 1969") == -1);
    CHECK(parse_http_date("Tue Feb 29 00:00:00 2000") == 951782400);
    CHECK(parse_http_date("Tuesday, 14-Nov-23 22:13:20 GMT") == 1700000000);
    // Leap second: accepted, folded into the next minute.
    CHECK(parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT") == 1483228800);
}

TEST_CASE("http_date: two-digit years use a 50-year window", "[http_date]") {
    std::tm now{};
    const std::time_t t = std::time(nullptr);
    gmtime_r(&t, &now);
    const int this_year = now.tm_year + 1900;
    // The year 60 years ahead (same two digits) must be read as 40 years ago.
    const int ahead = this_year + 60;
    const std::string yy = std::to_string(ahead % 100 + 100).substr(1);
    const auto parsed = parse_http_date("Monday, 01-Jan-" + yy + " 00:00:00 GMT");
    REQUIRE(parsed.has_value());
    std::tm tm{};
    gmtime_r(&*parsed, &tm);
    CHECK(tm.tm_year + 1900 == ahead - 100);
    // This year's digits mean this year.
    const std::string cur = std::to_string(this_year % 100 + 100).substr(1);
    const auto p2 = parse_http_date("Monday, 01-Jan-" + cur + " 00:00:00 GMT");
    REQUIRE(p2.has_value());
    gmtime_r(&*p2, &tm);
    CHECK(tm.tm_year + 1900 == this_year);
}

TEST_CASE("http_date: a repeated value comes out the same, and the next one its own",
          "[http_date]") {
    // format_http_date remembers its last result: it must never hand it out for another value.
    CHECK(fmt(1700000000) == "Tue, 14 Nov 2023 22:13:20 GMT");
    CHECK(fmt(1700000000) == "Tue, 14 Nov 2023 22:13:20 GMT");
    CHECK(fmt(1700000001) == "Tue, 14 Nov 2023 22:13:21 GMT");
    CHECK(fmt(253402300800 * 4) == "Fri, 31 Dec 9999 23:59:59 GMT");  // clamped, then
    CHECK(fmt(253402300799) == "Fri, 31 Dec 9999 23:59:59 GMT");      // the same value
    CHECK(fmt(1700000000) == "Tue, 14 Nov 2023 22:13:20 GMT");
}

TEST_CASE("http_date: round trip", "[http_date][property]") {
    std::mt19937_64 rng(42);
    for (int i = 0; i < 20000; ++i) {
        const auto t = static_cast<std::time_t>(rng() % 253402300800ULL) - 2208988800;  // 1900+
        const std::string s = fmt(t);
        INFO(s);
        const auto back = parse_http_date(s);
        REQUIRE(back.has_value());
        REQUIRE(*back == t);
    }
}

TEST_CASE("http_date: malformed values are rejected", "[http_date][security]") {
    const char* bad[] = {
        "",
        "garbage",
        "Sun",
        "Sun,",
        "Sun, 06 Nov 1994 08:49:37",
        "Sun, 06 Nov 1994 08:49:37 GMT ",  // trailing junk
        " Sun, 06 Nov 1994 08:49:37 GMT",  // leading junk
        "Sun, 06 Nov 1994 08:49:37 GMTX",
        "Sun, 06 Nov 1994 08:49:37 UTC",
        "Sun, 06 Nov 1994 08:49:37 +0000",
        "Sun, 06 Nov 1994 08:49:37 gmt",
        "sun, 06 Nov 1994 08:49:37 GMT",  // names are case-sensitive
        "Sun, 06 nov 1994 08:49:37 GMT",
        "Snd, 06 Nov 1994 08:49:37 GMT",  // bad day name
        "Sun, 06 Nox 1994 08:49:37 GMT",  // bad month name
        "Sun, 6 Nov 1994 08:49:37 GMT",   // one-digit day in IMF-fixdate
        "Sun, 06 Nov 94 08:49:37 GMT",    // two-digit year in IMF-fixdate
        "Sun, 06 Nov 19940 08:49:37 GMT",
        "Sun, 00 Nov 1994 08:49:37 GMT",  // out of range fields
        "Sun, 31 Nov 1994 08:49:37 GMT",
        "Sun, 32 Dec 1994 08:49:37 GMT",
        "Sun, 29 Feb 1900 08:49:37 GMT",  // 1900 is not a leap year
        "Sun, 30 Feb 2000 08:49:37 GMT",
        "Sun, 06 Nov 1994 24:00:00 GMT",
        "Sun, 06 Nov 1994 08:60:37 GMT",
        "Sun, 06 Nov 1994 08:49:61 GMT",
        "Sun, 06 Nov 1994 8:49:37 GMT",
        "Sun, 06 Nov 1994 08-49-37 GMT",
        "Sun, 06 Nov 1994 08:49:3a GMT",
        "Sun, -6 Nov 1994 08:49:37 GMT",
        "Sun, +6 Nov 1994 08:49:37 GMT",
        "Sun,  06 Nov 1994 08:49:37 GMT",
        "Sun 06 Nov 1994 08:49:37 GMT",
        "Sunday, 06 Nov 1994 08:49:37 GMT",  // long day name with the IMF layout
        "Sunday, 06-Nov-1994 08:49:37 GMT",  // four-digit year in RFC 850
        "Sunday, 06-Nov-94 08:49:37",
        "Sunday, 06-Nov-94 08:49:37 GMT x",
        "Sundae, 06-Nov-94 08:49:37 GMT",
        "Sun, 06-Nov-94 08:49:37 GMT",  // short day name with the RFC 850 layout
        "Sunday, 31-Apr-94 08:49:37 GMT",
        "Sun Nov  6 08:49:37 1994 ",
        "Sun Nov  6 08:49:37 94",
        "Sun Nov 6 08:49:37 1994",
        "Sun Nov   6 08:49:37 1994",
        "Sun Nov  6 08:49:37 1994 GMT",
        "Sun Nov 31 08:49:37 1994",
        "Sun Nov  0 08:49:37 1994",
        "Sun Xyz  6 08:49:37 1994",
    };
    for (const char* s : bad) {
        INFO(s);
        CHECK_FALSE(parse_http_date(s).has_value());
    }
    CHECK_FALSE(parse_http_date(std::string_view("Sun, 06 Nov 1994 08:49:37 GMT\0", 30)));
    CHECK_FALSE(parse_http_date(std::string_view("Sun, 06 Nov\0 1994 08:49:37 GMT", 30)));
}

TEST_CASE("http_date: current_http_date", "[http_date]") {
    const std::time_t before = std::time(nullptr);
    const std::string_view d = http::current_http_date();
    const std::time_t after = std::time(nullptr);
    REQUIRE(d.size() == http_date_length);
    const auto parsed = parse_http_date(d);
    REQUIRE(parsed.has_value());
    CHECK(*parsed >= before);
    CHECK(*parsed <= after);
    // The cache hands out the same per-thread buffer.
    CHECK(http::current_http_date().data() == d.data());
}
