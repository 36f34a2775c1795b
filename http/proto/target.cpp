// Request-target decoding. The order matters for safety: split off the query, percent-decode
// exactly once, and only then remove dot segments, so that "%2e%2e" is a dot segment but
// "%252e%252e" (which decodes to the literal name "%2e%2e") is not.
#include "http/proto/target.hpp"

#include <cstddef>

#include "http/fields/host.hpp"

namespace http {
namespace {

bool uri_safe(unsigned char c) noexcept {
    if (c <= 0x20 || c >= 0x7f) return false;
    switch (c) {
        case '"':
        case '<':
        case '>':
        case '\\':
        case '^':
        case '`':
        case '{':
        case '|':
        case '}': return false;
        default: return true;
    }
}

int hex_value(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

char lower(char c) noexcept { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

bool starts_with_nocase(std::string_view s, std::string_view prefix) noexcept {
    if (s.size() < prefix.size()) return false;
    for (std::size_t i = 0; i < prefix.size(); ++i) {
        if (lower(s[i]) != prefix[i]) return false;
    }
    return true;
}

// Returns the raw (still encoded) path of an origin-form or absolute-form target, without
// query or fragment, or sets `error` to bad_form.
std::string_view raw_path(std::string_view raw, TargetError& error) {
    if (!raw.empty() && raw.front() != '/') {
        std::string_view authority;
        // Not absolute-form: "*", authority-form, relative paths, garbage. An authority that
        // is no host (controls, spaces, userinfo, empty) means the target is garbage too.
        if (!absolute_form_authority(raw, authority) || !valid_host(authority)) {
            error = TargetError::bad_form;
            return {};
        }
        raw.remove_prefix(static_cast<std::size_t>(authority.data() - raw.data()) +
                          authority.size());
        if (raw.empty() || raw.front() != '/') {
            // "http://host" and "http://host?q": an empty path means "/" (RFC 9110 §4.2.3).
            return "/";
        }
    }
    if (raw.empty()) {
        error = TargetError::bad_form;
        return {};
    }
    return raw.substr(0, raw.find_first_of("?#"));
}

// Decodes every %XX exactly once. A decoded '/' would let "a%2Fb" name two segments after
// normalisation, so it is refused rather than decoded.
TargetError percent_decode(std::string_view in, std::string& out) {
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i) {
        char c = in[i];
        if (c == '%') {
            if (in.size() - i < 3) return TargetError::bad_escape;  // "%", "%4" at the end
            const int hi = hex_value(in[i + 1]);
            const int lo = hex_value(in[i + 2]);
            if (hi < 0 || lo < 0) return TargetError::bad_escape;
            c = static_cast<char>(hi * 16 + lo);
            if (c == '/') return TargetError::encoded_slash;
            i += 2;
        }
        if (c == '\0') return TargetError::nul;
        out.push_back(c);
    }
    return TargetError::none;
}

// RFC 3986 §5.2.4 on whole segments, with empty segments dropped: on a filesystem "a//b" is
// "a/b", and dropping them first means ".." always climbs one real directory. Climbing above
// the root is refused, not clamped, so a traversal attempt is visible as an error.
TargetError remove_dot_segments(std::string_view in, std::string& out) {
    // `out` itself is the stack of segments: ".." truncates it at its last '/'. No
    // allocation beyond out's own (reused) capacity.
    out.clear();
    out.reserve(in.size() + 1);
    bool trailing_slash = false;
    std::size_t pos = 1;  // in[0] == '/'
    while (pos <= in.size()) {
        std::size_t end = in.find('/', pos);
        if (end == std::string_view::npos) end = in.size();
        const std::string_view seg = in.substr(pos, end - pos);
        // A final "", "." or ".." names a directory: keep the trailing slash ("/a/." -> "/a/").
        trailing_slash = seg.empty() || seg == "." || seg == "..";
        if (seg == "..") {
            if (out.empty()) return TargetError::escapes_root;
            out.resize(out.rfind('/'));
        } else if (!seg.empty() && seg != ".") {
            out.push_back('/');
            out.append(seg);
        }
        pos = end + 1;
    }
    if (out.empty() || trailing_slash) out.push_back('/');
    return TargetError::none;
}

}  // namespace

bool absolute_form_authority(std::string_view raw, std::string_view& authority) noexcept {
    std::size_t scheme_len = 0;
    if (starts_with_nocase(raw, "http://"))
        scheme_len = 7;
    else if (starts_with_nocase(raw, "https://"))
        scheme_len = 8;
    else
        return false;
    raw.remove_prefix(scheme_len);
    authority = raw.substr(0, raw.find_first_of("/?#"));
    return true;
}

TargetError decode_target_into(std::string_view raw, std::string& path, std::string& scratch) {
    path.clear();
    TargetError error = TargetError::none;
    const std::string_view encoded = raw_path(raw, error);
    if (error != TargetError::none) return error;
    error = percent_decode(encoded, scratch);
    if (error != TargetError::none) return error;
    error = remove_dot_segments(scratch, path);
    if (error != TargetError::none) path.clear();
    return error;
}

DecodedTarget decode_target(std::string_view raw) {
    DecodedTarget result;
    std::string scratch;
    result.error = decode_target_into(raw, result.path, scratch);
    return result;
}

std::string encode_path(std::string_view path) {
    static constexpr char hex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(path.size());
    for (char c : path) {
        const bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
                                (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' ||
                                c == '~' || c == '/';
        if (unreserved) {
            out.push_back(c);
        } else {
            const auto b = static_cast<unsigned char>(c);
            out.push_back('%');
            out.push_back(hex[b >> 4]);
            out.push_back(hex[b & 0x0f]);
        }
    }
    return out;
}

std::string_view query_of(std::string_view raw_target) noexcept {
    const std::size_t q = raw_target.find_first_of("?#");
    if (q == std::string_view::npos || raw_target[q] == '#') return {};
    const std::string_view query = raw_target.substr(q + 1);
    return query.substr(0, query.find('#'));
}

void append_uri_safe(std::string& out, std::string_view bytes) {
    static constexpr char hex[] = "0123456789ABCDEF";
    for (const char ch : bytes) {
        const auto c = static_cast<unsigned char>(ch);
        if (uri_safe(c)) {
            out.push_back(ch);
        } else {
            out.push_back('%');
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0xf]);
        }
    }
}

bool is_hidden_name(std::string_view segment) noexcept {
    return !segment.empty() && segment.front() == '.' && segment != ".well-known";
}

bool has_hidden_segment(std::string_view path) noexcept {
    std::size_t pos = 0;
    while (pos < path.size()) {
        std::size_t end = path.find('/', pos);
        if (end == std::string_view::npos) end = path.size();
        if (is_hidden_name(path.substr(pos, end - pos))) return true;
        pos = end + 1;
    }
    return false;
}

std::string_view last_segment(std::string_view path) noexcept {
    const std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

}  // namespace http
