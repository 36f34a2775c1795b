// evaluate_range: forms, clamping, merging, limits and malformed headers (RFC 9110 §14).
#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "http/fields/range.hpp"

using http::evaluate_range;
using http::RangeOutcome;

namespace {

using Pairs = std::vector<std::pair<std::uint64_t, std::uint64_t>>;

Pairs pairs(const http::RangeResult& r) {
    Pairs out;
    for (const auto& b : r.ranges) out.emplace_back(b.first, b.last);
    return out;
}

void check_partial(std::string_view header, std::uint64_t size, const Pairs& expected,
                   std::size_t max_ranges = 16) {
    INFO("Range: " << header << " size " << size);
    const auto r = evaluate_range(header, size, max_ranges);
    REQUIRE(r.outcome == RangeOutcome::partial);
    CHECK(pairs(r) == expected);
}

void check_outcome(std::string_view header, std::uint64_t size, RangeOutcome expected,
                   std::size_t max_ranges = 16) {
    INFO("Range: " << header << " size " << size);
    const auto r = evaluate_range(header, size, max_ranges);
    CHECK(r.outcome == expected);
    if (expected != RangeOutcome::partial) CHECK(r.ranges.empty());
}

}  // namespace

TEST_CASE("range: single ranges", "[range]") {
    check_partial("bytes=0-0", 100, {{0, 0}});
    check_partial("bytes=0-499", 1000, {{0, 499}});
    check_partial("bytes=500-999", 1000, {{500, 999}});
    check_partial("bytes=500-", 1000, {{500, 999}});
    check_partial("bytes=0-", 1000, {{0, 999}});
    check_partial("bytes=-500", 1000, {{500, 999}});
    check_partial("bytes=-1", 1000, {{999, 999}});
    check_partial("bytes=999-999", 1000, {{999, 999}});
    const auto r = evaluate_range("bytes=10-19", 100);
    REQUIRE(r.ranges.size() == 1);
    CHECK(r.ranges[0].length() == 10);
}

TEST_CASE("range: clamping and suffixes", "[range]") {
    check_partial("bytes=500-5000", 1000, {{500, 999}});  // last >= size is clamped
    check_partial("bytes=0-18446744073709551615", 10, {{0, 9}});
    check_partial("bytes=-5000", 1000, {{0, 999}});  // suffix longer than the file
    check_partial("bytes=-1000", 1000, {{0, 999}});
    check_partial("bytes=-18446744073709551615", 3, {{0, 2}});
}

TEST_CASE("range: unit and whitespace", "[range]") {
    check_partial("BYTES=0-1", 10, {{0, 1}});
    check_partial("Bytes=0-1", 10, {{0, 1}});
    check_partial("bytes=0-1 , 4-5", 10, {{0, 1}, {4, 5}});
    check_partial("bytes=0-1,\t4-5", 10, {{0, 1}, {4, 5}});
    check_partial("bytes= 0-1", 10, {{0, 1}});
    check_partial("bytes=0-1 ", 10, {{0, 1}});
    check_partial("bytes=0-1,,4-5,", 10, {{0, 1}, {4, 5}});  // empty list members
    check_outcome("items=0-1", 10, RangeOutcome::full);
    check_outcome("byte=0-1", 10, RangeOutcome::full);
    check_outcome("bytesx=0-1", 10, RangeOutcome::full);
    check_outcome(" bytes=0-1", 10, RangeOutcome::full);
    check_outcome("bytes =0-1", 10, RangeOutcome::full);
    check_outcome("", 10, RangeOutcome::full);
}

TEST_CASE("range: malformed headers give full", "[range][security]") {
    const char* bad[] = {
        "bytes",
        "bytes=",
        "bytes= ",
        "bytes=,",
        "bytes= , ,",
        "bytes=5-4",  // first > last
        "bytes=0-1,5-4",
        "bytes=-",
        "bytes=a-b",
        "bytes=1-b",
        "bytes=a-1",
        "bytes=0x10-20",
        "bytes=+1-2",
        "bytes=1-+2",
        "bytes=--1",
        "bytes=1--2",
        "bytes=-1-",
        "bytes=1",
        "bytes=1 - 2",
        "bytes=1-2-3",
        "bytes=1-2;x",
        "bytes=0-1,garbage",
        "bytes=18446744073709551616-",  // 2^64
        "bytes=0-18446744073709551616",
        "bytes=-18446744073709551616",
        "bytes=99999999999999999999999999-",
        "bytes=1.5-2",
        "bytes=0-1=2",
    };
    for (const char* h : bad) check_outcome(h, 1000, RangeOutcome::full);
}

TEST_CASE("range: unsatisfiable", "[range]") {
    check_outcome("bytes=1000-", 1000, RangeOutcome::unsatisfiable);
    check_outcome("bytes=1000-2000", 1000, RangeOutcome::unsatisfiable);
    check_outcome("bytes=-0", 1000, RangeOutcome::unsatisfiable);
    check_outcome("bytes=-0,2000-", 1000, RangeOutcome::unsatisfiable);
    check_outcome("bytes=0-0", 0, RangeOutcome::unsatisfiable);  // empty file
    check_outcome("bytes=-5", 0, RangeOutcome::unsatisfiable);
    check_outcome("bytes=0-", 0, RangeOutcome::unsatisfiable);
    // Unsatisfiable members are dropped when another one is satisfiable.
    check_partial("bytes=2000-3000,0-9", 1000, {{0, 9}});
    check_partial("bytes=-0,5-", 10, {{5, 9}});
    // A malformed member wins over an unsatisfiable one: the header is ignored.
    check_outcome("bytes=2000-,x", 1000, RangeOutcome::full);
}

TEST_CASE("range: sorting and merging", "[range]") {
    check_partial("bytes=0-1,1-2,5-", 10, {{0, 2}, {5, 9}});
    check_partial("bytes=5-6,0-1", 10, {{0, 1}, {5, 6}});  // sorted
    check_partial("bytes=0-1,2-3", 10, {{0, 3}});          // adjacent
    check_partial("bytes=0-4,2-3", 10, {{0, 4}});          // contained
    check_partial("bytes=2-3,0-9", 10, {{0, 9}});
    check_partial("bytes=-3,0-6", 10, {{0, 9}});  // suffix adjacent to a range
    check_partial("bytes=0-0,2-2,4-4", 10, {{0, 0}, {2, 2}, {4, 4}});
    check_partial("bytes=8-,9-9,0-0", 10, {{0, 0}, {8, 9}});
}

TEST_CASE("range: overlap amplification merges to one", "[range][security]") {
    std::string h = "bytes=0-";
    for (int i = 0; i < 90; ++i) h += ",0-";
    check_partial(h, 1000000, {{0, 999999}});
    std::string h2 = "bytes=";
    for (int i = 0; i < 50; ++i) h2 += (i ? "," : "") + std::to_string(i) + "-999";
    check_partial(h2, 1000, {{0, 999}});
}

TEST_CASE("range: limits", "[range][security]") {
    // 17 disjoint parts with the default limit of 16: full.
    std::string h = "bytes=";
    for (int i = 0; i < 17; ++i)
        h += (i ? "," : "") + std::to_string(i * 10) + "-" + std::to_string(i * 10);
    check_outcome(h, 1000, RangeOutcome::full);
    CHECK(evaluate_range(h, 1000, 17).ranges.size() == 17);
    check_outcome("bytes=0-0,2-2,4-4", 10, RangeOutcome::full, 2);
    check_partial("bytes=0-0,2-2,4-4", 10, {{0, 0}, {2, 2}, {4, 4}}, 3);
    check_partial("bytes=0-0,1-1,2-2", 10, {{0, 2}}, 1);  // the limit applies after merging
    check_outcome("bytes=0-1", 10, RangeOutcome::full, 0);

    // Thousands of tiny ranges: refused after parsing a bounded number of them, even though
    // they would merge to a single range.
    std::string flood = "bytes=";
    for (int i = 0; i < 5000; ++i)
        flood += (i ? "," : "") + std::to_string(i) + "-" + std::to_string(i);
    check_outcome(flood, 100000, RangeOutcome::full);
    std::string empties = "bytes=0-1" + std::string(5000, ',');
    check_outcome(empties, 100, RangeOutcome::full);
    // 100 members is still fine.
    std::string hundred = "bytes=0-";
    for (int i = 1; i < 100; ++i) hundred += ",0-";
    check_partial(hundred, 10, {{0, 9}});
    check_outcome(hundred + ",0-", 10, RangeOutcome::full);
}
