// utf8_length(): whether bytes are well-formed UTF-8, one sequence at a time, for the writers
// that must keep valid text and escape the rest (JSON access-log lines, JSON listings).
// Header-only, pure; any thread; never blocks.
#pragma once

#include <cstddef>
#include <string_view>

namespace poly {

// The length of the well-formed UTF-8 sequence at the start of s (RFC 3629 §4, Unicode
// Table 3-7), or 0: overlong forms (C0, C1, E0 80..9F, F0 80..8F), surrogates (ED A0..BF),
// code points past U+10FFFF (F4 90.., F5..FF), and cut or broken sequences are not UTF-8.
// s must not be empty.
inline std::size_t utf8_length(std::string_view s) noexcept {
    const auto at = [&s](std::size_t i) { return static_cast<unsigned char>(s[i]); };
    const unsigned char b = at(0);
    if (b < 0x80) return 1;
    std::size_t n = 0;
    unsigned char lo = 0x80, hi = 0xBF;  // the second byte's range
    if (b >= 0xC2 && b <= 0xDF) {
        n = 2;
    } else if (b >= 0xE0 && b <= 0xEF) {
        n = 3;
        lo = b == 0xE0 ? 0xA0 : 0x80;  // E0 80..9F: overlong
        hi = b == 0xED ? 0x9F : 0xBF;  // ED A0..BF: surrogates
    } else if (b >= 0xF0 && b <= 0xF4) {
        n = 4;
        lo = b == 0xF0 ? 0x90 : 0x80;  // F0 80..8F: overlong
        hi = b == 0xF4 ? 0x8F : 0xBF;  // F4 90..BF: past U+10FFFF
    }
    if (n == 0 || s.size() < n || at(1) < lo || at(1) > hi) return 0;
    for (std::size_t i = 2; i < n; ++i)
        if (at(i) < 0x80 || at(i) > 0xBF) return 0;
    return n;
}

}  // namespace poly
