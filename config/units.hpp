// Parsers for the values with units that flags and the config file accept. Pure functions,
// called at startup by parse_command_line(); they return nothing on any malformed input so
// the caller can name the option in its one-line error.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace config {

// "10s", "500ms", "2m", "1h", "365d", or a bare number meaning seconds. Whole numbers only: no
// sign, no fraction, no spaces. Overflow is rejected, not wrapped.
std::optional<std::chrono::milliseconds> parse_duration(std::string_view text);

// A bare byte count, or with a binary suffix: k/K/KiB (x1024), m/M/MiB (x1024^2).
std::optional<std::size_t> parse_size(std::string_view text);

// A plain unsigned decimal that fits in `unsigned`.
std::optional<unsigned> parse_count(std::string_view text);

// The inverse of the parsers, in the shortest exact unit: used for defaults in --help.
std::string format_duration(std::chrono::milliseconds d);
std::string format_size(std::size_t bytes);

}  // namespace config
