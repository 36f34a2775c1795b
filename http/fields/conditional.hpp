// Conditional requests (RFC 9110 §13): validators and precondition evaluation. Called by the
// static handler once per request, on the connection's thread. Pure functions: thread-safe,
// never blocking.
#pragma once

#include <cstdint>
#include <ctime>
#include <string_view>

namespace http {

// A strong entity tag, quotes included, e.g. "\"1a2b-3c4d-5e6f\"". Fixed storage: no allocation.
class ETag {
public:
    ETag() = default;
    // Derived from inode, size and modification time (nanoseconds), like nginx/lighttpd.
    static ETag from_file(std::uint64_t inode, std::uint64_t size, std::int64_t mtime_ns) noexcept;
    // The tag of another representation of the same file, e.g. "\"1a-2b-3c-br\"" for its
    // Brotli variant: `suffix` goes inside the quotes after a '-'. Empty when it would not fit.
    [[nodiscard]] ETag with_suffix(std::string_view suffix) const noexcept;
    [[nodiscard]] std::string_view view() const noexcept { return {buf_, len_}; }
    [[nodiscard]] bool empty() const noexcept { return len_ == 0; }

private:
    char buf_[64] = {};
    std::size_t len_ = 0;
};

struct Validators {
    std::string_view etag;      // strong, quoted
    std::time_t last_modified;  // seconds
};

// The request's conditional header values; an empty view means the header was absent.
struct Conditions {
    std::string_view if_match;
    std::string_view if_none_match;
    std::string_view if_modified_since;
    std::string_view if_unmodified_since;
};

enum class Precondition { proceed, not_modified, failed };

// RFC 9110 §13.2.2 order: If-Match (strong) then If-Unmodified-Since (only without If-Match)
// may fail with 412; If-None-Match (weak comparison, lists, "*") then If-Modified-Since (only
// without If-None-Match, ignored when the date does not parse or lies in the future) may give
// 304. Called for GET and HEAD only.
Precondition evaluate_preconditions(const Conditions& c, const Validators& v) noexcept;

// If-Range (RFC 9110 §13.1.5): true when the Range header should be honoured. An absent header
// honours it; an entity tag must match strongly; a date must equal Last-Modified exactly.
bool if_range_allows(std::string_view if_range, const Validators& v) noexcept;

}  // namespace http
