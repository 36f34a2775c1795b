// append_decimal(): an unsigned number in decimal, appended to a string without the locale or
// a temporary string. Header-only; any thread; never blocks. Used where numbers are written
// per request (response heads, Content-Range, listings, access-log lines), hence to_chars.
#pragma once

#include <charconv>
#include <cstdint>
#include <string>

namespace poly {

inline void append_decimal(std::string& out, std::uint64_t v) {
    char buf[20];  // UINT64_MAX has 20 digits
    out.append(buf, std::to_chars(buf, buf + sizeof buf, v).ptr);
}

}  // namespace poly
