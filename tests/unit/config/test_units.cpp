// parse_duration / parse_size / parse_count and their formatting inverses.
#include <limits>

#include <catch2/catch.hpp>

#include "config/units.hpp"

using namespace config;
using namespace std::chrono_literals;

TEST_CASE("parse_duration", "[units]") {
    CHECK(parse_duration("10s") == 10s);
    CHECK(parse_duration("10") == 10s);  // bare number: seconds
    CHECK(parse_duration("500ms") == 500ms);
    CHECK(parse_duration("2m") == 2min);
    CHECK(parse_duration("1h") == 1h);
    CHECK(parse_duration("1d") == 24h);
    CHECK(parse_duration("365d") == 365 * 24h);  // --hsts's usual value
    CHECK(parse_duration("0") == 0ms);
    for (const char* bad :
         {"", "s", "abc", "-1s", "+1s", "1.5s", "10 s", " 10s", "10S", "10sec", "10ms5", "1D",
          "1day", "99999999999999999999s", "9999999999999999h", "999999999999999d"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_duration(bad).has_value());
    }
}

TEST_CASE("parse_size", "[units]") {
    CHECK(parse_size("16384") == 16384u);
    CHECK(parse_size("16k") == 16384u);
    CHECK(parse_size("16K") == 16384u);
    CHECK(parse_size("16KiB") == 16384u);
    CHECK(parse_size("1M") == 1048576u);
    CHECK(parse_size("1m") == 1048576u);
    CHECK(parse_size("1MiB") == 1048576u);
    CHECK(parse_size("0") == 0u);
    for (const char* bad : {"", "k", "16kb", "16KB", "16 k", "-1", "1.5k", "1G", "0x10",
                            "99999999999999999999", "18014398509481984k"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_size(bad).has_value());
    }
}

TEST_CASE("parse_count", "[units]") {
    CHECK(parse_count("0") == 0u);
    CHECK(parse_count("10000") == 10000u);
    CHECK(parse_count(std::to_string(std::numeric_limits<unsigned>::max())) ==
          std::numeric_limits<unsigned>::max());
    for (const char* bad : {"", "-1", "+1", "1k", "4294967296", "1 ", "auto"}) {
        CAPTURE(bad);
        CHECK_FALSE(parse_count(bad).has_value());
    }
}

TEST_CASE("format_duration and format_size round-trip through the parsers", "[units]") {
    CHECK(format_duration(10s) == "10s");
    CHECK(format_duration(60s) == "1m");
    CHECK(format_duration(2h) == "2h");
    CHECK(format_duration(24h) == "1d");
    CHECK(format_duration(25h) == "25h");
    CHECK(format_duration(1500ms) == "1500ms");
    CHECK(format_duration(0ms) == "0s");
    CHECK(format_size(16384) == "16k");
    CHECK(format_size(1048576) == "1M");
    CHECK(format_size(1000) == "1000");
    for (std::chrono::milliseconds d :
         {1ms, 999ms, 10000ms, 90000ms, 3600000ms, 90000000ms, 86400000ms, 31536000000ms})
        CHECK(parse_duration(format_duration(d)) == d);
    for (std::size_t n : {0u, 1u, 1023u, 1024u, 3000u, 1536u * 1024u})
        CHECK(parse_size(format_size(n)) == n);
}
