// Host syntax (RFC 9112 §3.2, RFC 3986 §3.2.2-3.2.3): is a Host field value, or the authority
// of an absolute-form target, `uri-host [":" port]`? Called by RequestParser once per request
// head (and by decode_target); pure, no allocation, thread-safe, never blocks.
#pragma once

#include <string_view>

namespace http {

// True for reg-name (unreserved / pct-encoded / sub-delims, non-empty), a bracketed IPv6
// address or IPvFuture, each followed by an optional ":" and digits. An IPv4 address is
// also a reg-name by syntax, so "999.1.1.1" passes: the server uses no host, it only refuses
// values no client could have meant. "host:" (empty port) is allowed, as the grammar allows;
// an empty host ("", ":80") is not (RFC 9110 §4.2.1); userinfo ("user@host") is not
// (RFC 9110 §4.2.4). The caller decides about an empty field value.
bool valid_host(std::string_view authority) noexcept;

}  // namespace http
