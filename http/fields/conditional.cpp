// Preconditions (RFC 9110 §13). Header values come from the client, so every parser here is
// total: a malformed value is skipped or ignored, never an error path of its own.
#include "http/fields/conditional.hpp"

#include <cstring>

#include "http/fields/http_date.hpp"
#include "http/fields/text.hpp"

namespace http {
namespace {

// etagc = %x21 / %x23-7E / obs-text
bool is_etagc(char c) noexcept {
    const auto b = static_cast<unsigned char>(c);
    return b == 0x21 || (b >= 0x23 && b != 0x7f);
}

struct EntityTag {
    bool weak = false;
    std::string_view opaque;  // quotes included
};

// Parses one entity-tag at the start of s; on success `len` is how much it spans.
bool parse_entity_tag(std::string_view s, EntityTag& tag, std::size_t& len) noexcept {
    std::size_t i = 0;
    tag.weak = s.substr(0, 2) == "W/";
    if (tag.weak) i = 2;
    if (i >= s.size() || s[i] != '"') return false;
    const std::size_t open = i++;
    while (i < s.size() && s[i] != '"') {
        if (!is_etagc(s[i])) return false;
        ++i;
    }
    if (i >= s.size()) return false;  // no closing quote
    tag.opaque = s.substr(open, i - open + 1);
    len = i + 1;
    return true;
}

// Calls f(tag) for each well-formed member of a #entity-tag list until f returns true.
// A malformed member is skipped up to the next comma, as if it were absent.
template <typename F>
bool any_entity_tag(std::string_view list, F f) noexcept {
    std::size_t pos = 0;
    while (pos < list.size()) {
        if (is_ows(list[pos]) || list[pos] == ',') {
            ++pos;
            continue;
        }
        EntityTag tag;
        std::size_t len = 0;
        bool ok = parse_entity_tag(list.substr(pos), tag, len);
        std::size_t next = pos + len;
        while (ok && next < list.size() && is_ows(list[next])) ++next;
        ok = ok && (next == list.size() || list[next] == ',');
        if (ok && f(tag)) return true;
        if (!ok) {
            next = list.find(',', pos);
            if (next == std::string_view::npos) break;
        }
        pos = next;
    }
    return false;
}

bool strong_match(const EntityTag& t, std::string_view etag) noexcept {
    return !t.weak && !etag.empty() && t.opaque == etag;
}

// If-Match: "*" matches any current representation; otherwise strong comparison.
bool if_match_passes(std::string_view value, std::string_view etag) noexcept {
    value = trim_ows(value);
    if (value == "*") return true;
    return any_entity_tag(value, [etag](const EntityTag& t) { return strong_match(t, etag); });
}

// If-None-Match: true when some member matches weakly, i.e. the condition is false.
bool if_none_match_matches(std::string_view value, std::string_view etag) noexcept {
    value = trim_ows(value);
    if (value == "*") return true;
    return any_entity_tag(value, [etag](const EntityTag& t) {
        // Weak comparison: W/ is ignored on both sides; our own tag is always strong.
        return !etag.empty() && t.opaque == etag;
    });
}

}  // namespace

namespace {

// Lower-case hex without leading zeros ("0" for zero), as printf's %x: the ETags stay what
// they were, so caches keep validating. By hand because snprintf's format parsing was a
// visible part of a small request's profile.
char* append_hex(char* out, std::uint64_t v) noexcept {
    char digits[16];
    int n = 0;
    do {
        digits[n++] = "0123456789abcdef"[v & 0xF];
        v >>= 4;
    } while (v != 0);
    while (n > 0) *out++ = digits[--n];
    return out;
}

}  // namespace

ETag ETag::from_file(std::uint64_t inode, std::uint64_t size, std::int64_t mtime_ns) noexcept {
    ETag tag;
    // At most 2 + 3 * 16 + 2 = 52 characters: always fits the 64-byte buffer.
    char* p = tag.buf_;
    *p++ = '"';
    p = append_hex(p, inode);
    *p++ = '-';
    p = append_hex(p, size);
    *p++ = '-';
    p = append_hex(p, static_cast<std::uint64_t>(mtime_ns));
    *p++ = '"';
    tag.len_ = static_cast<std::size_t>(p - tag.buf_);
    return tag;
}

ETag ETag::with_suffix(std::string_view suffix) const noexcept {
    ETag tag;
    if (len_ < 2 || len_ + 1 + suffix.size() > sizeof tag.buf_) return tag;
    std::memcpy(tag.buf_, buf_, len_ - 1);  // without the closing quote
    tag.len_ = len_ - 1;
    tag.buf_[tag.len_++] = '-';
    std::memcpy(tag.buf_ + tag.len_, suffix.data(), suffix.size());
    tag.len_ += suffix.size();
    tag.buf_[tag.len_++] = '"';
    return tag;
}

Precondition evaluate_preconditions(const Conditions& c, const Validators& v) noexcept {
    // Step 1 and 2: If-Match, else If-Unmodified-Since.
    if (!c.if_match.empty()) {
        if (!if_match_passes(c.if_match, v.etag)) return Precondition::failed;
    } else if (!c.if_unmodified_since.empty()) {
        const auto date = parse_http_date(trim_ows(c.if_unmodified_since));
        if (date && v.last_modified > *date) return Precondition::failed;
    }
    // Step 3 and 4: If-None-Match, else If-Modified-Since (GET/HEAD only, so 304).
    if (!c.if_none_match.empty()) {
        if (if_none_match_matches(c.if_none_match, v.etag)) return Precondition::not_modified;
    } else if (!c.if_modified_since.empty()) {
        const auto date = parse_http_date(trim_ows(c.if_modified_since));
        // A date in the future is a client error or clock skew; trusting it would pin a stale
        // copy (RFC 9110 §13.1.3 says to ignore it).
        if (date && *date <= std::time(nullptr) && v.last_modified <= *date) {
            return Precondition::not_modified;
        }
    }
    return Precondition::proceed;
}

bool if_range_allows(std::string_view if_range, const Validators& v) noexcept {
    if_range = trim_ows(if_range);
    if (if_range.empty()) return true;
    if (if_range.front() == '"' || if_range.substr(0, 2) == "W/") {
        EntityTag tag;
        std::size_t len = 0;
        // Exactly one tag, strongly equal: a weak tag never allows a partial response, since
        // bytes from two "equivalent" representations must not be spliced together.
        return parse_entity_tag(if_range, tag, len) && len == if_range.size() &&
               strong_match(tag, v.etag);
    }
    const auto date = parse_http_date(if_range);
    return date && *date == v.last_modified;
}

}  // namespace http
