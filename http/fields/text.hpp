// Small text helpers for header parsing (RFC 9110 §5.6): optional whitespace and ASCII
// case-insensitive comparison. Pure, header-only, thread-safe; locale-independent on purpose
// (std::tolower would consult the C locale on every byte).
#pragma once

#include <cstddef>
#include <string_view>

namespace http {

constexpr bool is_ows(char c) noexcept { return c == ' ' || c == '\t'; }

constexpr std::string_view trim_ows(std::string_view s) noexcept {
    while (!s.empty() && is_ows(s.front())) s.remove_prefix(1);
    while (!s.empty() && is_ows(s.back())) s.remove_suffix(1);
    return s;
}

constexpr char ascii_lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + ('a' - 'A')) : c;
}

// True when a equals `lower` (given in lower case) ignoring ASCII case.
constexpr bool iequals_lower(std::string_view a, std::string_view lower) noexcept {
    if (a.size() != lower.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != lower[i]) return false;
    return true;
}

// True when a equals b ignoring ASCII case (both as given).
constexpr bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (ascii_lower(a[i]) != ascii_lower(b[i])) return false;
    return true;
}

}  // namespace http
