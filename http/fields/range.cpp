// Range evaluation. The header is attacker-controlled, so the work is bounded: at most
// max_parsed_specs list members are looked at, and the result is sorted and merged so that
// "bytes=0-,0-,0-" cannot make a multipart body many times larger than the file.
#include "http/fields/range.hpp"

#include <algorithm>
#include <cstddef>
#include <limits>
#include <optional>

#include "http/fields/text.hpp"

namespace http {
namespace {

// Beyond this many list members (empty ones included) the header is ignored: no legitimate
// client asks for more, and it caps parsing and sorting cost per request.
constexpr std::size_t max_parsed_specs = 100;

bool unit_is_bytes(std::string_view unit) noexcept {
    constexpr std::string_view bytes = "bytes";
    if (unit.size() != bytes.size()) return false;
    for (std::size_t i = 0; i < unit.size(); ++i) {
        const char c =
            (unit[i] >= 'A' && unit[i] <= 'Z') ? static_cast<char>(unit[i] + 32) : unit[i];
        if (c != bytes[i]) return false;
    }
    return true;
}

// 1*DIGIT that fits in uint64; anything else (empty, signs, overflow) is nullopt.
std::optional<std::uint64_t> parse_u64(std::string_view s) noexcept {
    if (s.empty()) return std::nullopt;
    constexpr std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
    std::uint64_t v = 0;
    for (char c : s) {
        if (c < '0' || c > '9') return std::nullopt;
        const auto d = static_cast<std::uint64_t>(c - '0');
        if (v > (max - d) / 10) return std::nullopt;
        v = v * 10 + d;
    }
    return v;
}

enum class Spec { malformed, unsatisfiable, satisfiable };

// One range-spec against the file size; fills `out` when satisfiable.
Spec evaluate_spec(std::string_view spec, std::uint64_t size, ByteRange& out) noexcept {
    const auto dash = spec.find('-');
    if (dash == std::string_view::npos) return Spec::malformed;
    const std::string_view first_s = spec.substr(0, dash);
    const std::string_view last_s = spec.substr(dash + 1);
    if (first_s.empty()) {  // suffix-range "-n": the last n bytes
        const auto n = parse_u64(last_s);
        if (!n) return Spec::malformed;
        if (*n == 0 || size == 0) return Spec::unsatisfiable;
        out = {*n >= size ? 0 : size - *n, size - 1};
        return Spec::satisfiable;
    }
    const auto first = parse_u64(first_s);
    if (!first) return Spec::malformed;
    std::uint64_t last = std::numeric_limits<std::uint64_t>::max();
    if (!last_s.empty()) {
        const auto l = parse_u64(last_s);
        if (!l || *l < *first) return Spec::malformed;
        last = *l;
    }
    if (*first >= size) return Spec::unsatisfiable;
    out = {*first, std::min(last, size - 1)};
    return Spec::satisfiable;
}

// Sorts and merges overlapping or adjacent ranges in place.
void sort_and_merge(std::vector<ByteRange>& ranges) {
    std::sort(ranges.begin(), ranges.end(),
              [](const ByteRange& a, const ByteRange& b) { return a.first < b.first; });
    std::size_t out = 0;
    for (std::size_t i = 1; i < ranges.size(); ++i) {
        // last < size <= UINT64_MAX, so last + 1 cannot overflow.
        if (ranges[i].first <= ranges[out].last + 1) {
            ranges[out].last = std::max(ranges[out].last, ranges[i].last);
        } else {
            ranges[++out] = ranges[i];
        }
    }
    ranges.resize(out + 1);
}

}  // namespace

RangeResult evaluate_range(std::string_view header, std::uint64_t size, std::size_t max_ranges) {
    RangeResult result;
    const auto eq = header.find('=');
    if (eq == std::string_view::npos || !unit_is_bytes(header.substr(0, eq))) return result;
    std::string_view set = header.substr(eq + 1);
    std::size_t members = 0;
    bool any_spec = false;
    while (true) {
        if (++members > max_parsed_specs) return {};
        const auto comma = set.find(',');
        // Empty list members ("0-1,,2-3") are allowed by RFC 9110 §5.6.1.2 and skipped.
        if (const std::string_view spec = trim_ows(set.substr(0, comma)); !spec.empty()) {
            any_spec = true;
            ByteRange r;
            const Spec s = evaluate_spec(spec, size, r);
            if (s == Spec::malformed) return {};
            if (s == Spec::satisfiable) result.ranges.push_back(r);
        }
        if (comma == std::string_view::npos) break;
        set.remove_prefix(comma + 1);
    }
    if (!any_spec) return {};  // "bytes=" or "bytes= , ": no range-spec at all
    if (result.ranges.empty()) {
        result.outcome = RangeOutcome::unsatisfiable;
        return result;
    }
    sort_and_merge(result.ranges);
    if (result.ranges.size() > max_ranges) return {};
    result.outcome = RangeOutcome::partial;
    return result;
}

}  // namespace http
