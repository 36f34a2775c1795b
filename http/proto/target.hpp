// Request-target decoding and normalisation (RFC 9112 §3.2, RFC 3986 §5.2.4).
// Pure functions, no I/O, thread-safe. Called by the static handler once per request.
#pragma once

#include <string>
#include <string_view>

namespace http {

enum class TargetError {
    none,
    bad_form,       // not origin-form or absolute-form (e.g. "*", authority-form, garbage)
    bad_escape,     // '%' not followed by two hex digits
    nul,            // "%00" or a raw NUL
    encoded_slash,  // "%2F" / "%2f": refused so that "a%2Fb" can never mean two segments
    escapes_root,   // dot segments that would climb above "/"
};

struct DecodedTarget {
    TargetError error = TargetError::none;
    // Decoded, normalised absolute path: always starts with '/', no "." or ".." segments,
    // no empty segments from "//" (collapsed), keeps a trailing '/' if the target had one.
    std::string path;
};

// Accepts origin-form ("/a/b?q") and absolute-form ("http://host/a/b?q"). The query and any
// fragment are dropped. Percent-decoding happens exactly once: "%252e" decodes to "%2e",
// which is then a literal file name, never a dot.
DecodedTarget decode_target(std::string_view raw);

// The same, into caller-owned buffers (path: the result; scratch: working space), so a
// caller that reuses them decodes without allocating.
TargetError decode_target_into(std::string_view raw, std::string& path, std::string& scratch);

// For an absolute-form target ("http://a:8080/x?q"): true, and `authority` is "a:8080" (a
// view into raw, maybe empty). False for any other form. The parser checks the authority
// with valid_host (http/fields/host.hpp) as it checks a Host field.
bool absolute_form_authority(std::string_view raw, std::string_view& authority) noexcept;

// The query of a raw request-target, without '?' and fragment; empty when there is none.
std::string_view query_of(std::string_view raw_target) noexcept;

// Appends `bytes` to a Location under construction, percent-encoding every byte that may not
// appear in a URI (controls, CR, LF, space, DEL, non-ASCII, '"', '<', '>', '\', '^', '`',
// '{', '|', '}'); '%' and the reserved characters pass, so a URL given already encoded stays
// as it was.
void append_uri_safe(std::string& out, std::string_view bytes);

// Percent-encodes a decoded path for use in a Location header: everything outside RFC 3986
// unreserved characters and '/' is escaped, so CR, LF, spaces and controls can never appear.
std::string encode_path(std::string_view path);

// A dotfile or dot-directory name, which the static handler does not serve and listings do
// not show unless asked to; ".well-known" (RFC 8615) is never hidden.
bool is_hidden_name(std::string_view segment) noexcept;
// True when a segment of a decoded path is hidden.
bool has_hidden_segment(std::string_view path) noexcept;
// The part after the last '/' (the whole path when there is none).
std::string_view last_segment(std::string_view path) noexcept;

}  // namespace http
