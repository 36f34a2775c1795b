// Range requests (RFC 9110 §14). Called by the static handler once per request, on the
// connection's thread. Pure functions: thread-safe, never blocking.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace http {

struct ByteRange {
    std::uint64_t first = 0;  // inclusive
    std::uint64_t last = 0;   // inclusive; always < size after evaluation
    [[nodiscard]] std::uint64_t length() const noexcept { return last - first + 1; }
};

enum class RangeOutcome {
    full,           // no Range, a malformed one, another unit, or too many parts: send 200
    partial,        // ranges holds 1..max_ranges sorted, merged, satisfiable ranges: send 206
    unsatisfiable,  // well-formed but no range overlaps the file: 416, "bytes */size"
};

struct RangeResult {
    RangeOutcome outcome = RangeOutcome::full;
    std::vector<ByteRange> ranges;
};

// Evaluates a Range header value against a representation of `size` bytes. Accepts
// "bytes=a-b", "bytes=a-", "bytes=-n" and comma lists (with OWS). Overlapping or adjacent
// ranges are merged and the result sorted, so a multipart body never carries a byte twice;
// more than max_ranges parts after merging gives `full` (the whole file is cheaper than a
// flood of part headers). An empty file makes every range unsatisfiable.
RangeResult evaluate_range(std::string_view header, std::uint64_t size,
                           std::size_t max_ranges = 16);

}  // namespace http
