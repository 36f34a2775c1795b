#include "http/fields/host.hpp"

#include <arpa/inet.h>

#include <cstddef>

namespace http {
namespace {

constexpr bool is_alnum(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

constexpr bool is_hex(char c) noexcept {
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

constexpr bool is_unreserved(char c) noexcept {
    return is_alnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

constexpr bool is_sub_delim(char c) noexcept {
    return std::string_view("!$&'()*+,;=").find(c) != std::string_view::npos;
}

// reg-name = *( unreserved / pct-encoded / sub-delims ), here at least one of them.
bool valid_reg_name(std::string_view s) noexcept {
    if (s.empty()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '%') {
            if (s.size() - i < 3 || !is_hex(s[i + 1]) || !is_hex(s[i + 2])) return false;
            i += 2;
        } else if (!is_unreserved(s[i]) && !is_sub_delim(s[i])) {
            return false;
        }
    }
    return true;
}

// IPvFuture = "v" 1*HEXDIG "." 1*( unreserved / sub-delims / ":" )
bool valid_ipvfuture(std::string_view s) noexcept {
    if (s.size() < 4 || (s[0] != 'v' && s[0] != 'V')) return false;
    const std::size_t dot = s.find('.');
    if (dot == std::string_view::npos || dot < 2 || dot + 1 == s.size()) return false;
    for (std::size_t i = 1; i < dot; ++i)
        if (!is_hex(s[i])) return false;
    for (std::size_t i = dot + 1; i < s.size(); ++i)
        if (!is_unreserved(s[i]) && !is_sub_delim(s[i]) && s[i] != ':') return false;
    return true;
}

// The text between the brackets: IPv6address as inet_pton reads it (which is RFC 4291's
// text form, RFC 3986's IPv6address included; no zone identifier), or IPvFuture.
bool valid_ip_literal(std::string_view s) noexcept {
    if (valid_ipvfuture(s)) return true;
    char text[INET6_ADDRSTRLEN];
    if (s.empty() || s.size() >= sizeof text) return false;
    s.copy(text, s.size());
    text[s.size()] = '\0';
    in6_addr addr{};
    return ::inet_pton(AF_INET6, text, &addr) == 1;
}

bool all_digits(std::string_view s) noexcept {
    for (const char c : s)
        if (c < '0' || c > '9') return false;
    return true;
}

}  // namespace

bool valid_host(std::string_view authority) noexcept {
    std::string_view rest;  // what follows the host: empty, or ":" port
    if (!authority.empty() && authority.front() == '[') {
        const std::size_t close = authority.find(']');
        if (close == std::string_view::npos || !valid_ip_literal(authority.substr(1, close - 1)))
            return false;
        rest = authority.substr(close + 1);
    } else {
        const std::size_t colon = authority.find(':');
        if (!valid_reg_name(authority.substr(0, colon))) return false;
        if (colon != std::string_view::npos) rest = authority.substr(colon);
    }
    // port = *DIGIT: its value is not checked, the server does not use it.
    if (rest.empty()) return true;
    return rest.front() == ':' && all_digits(rest.substr(1));
}

}  // namespace http
