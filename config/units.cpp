#include "config/units.hpp"

#include <charconv>
#include <limits>

namespace config {
namespace {

// Splits "123abc" into its leading digits and the rest; nothing if there are no digits or the
// number does not fit (from_chars accepts neither '+' nor '-' for unsigned, as we want).
struct Split {
    std::uint64_t value;
    std::string_view suffix;
};

std::optional<Split> split_number(std::string_view text) {
    std::uint64_t value = 0;
    const char* first = text.data();
    const char* last = first + text.size();
    auto [ptr, ec] = std::from_chars(first, last, value);
    if (ec != std::errc{} || ptr == first) return std::nullopt;
    return Split{value, text.substr(static_cast<std::size_t>(ptr - first))};
}

std::optional<std::uint64_t> multiply(std::uint64_t value, std::uint64_t factor) {
    if (factor != 0 && value > std::numeric_limits<std::uint64_t>::max() / factor)
        return std::nullopt;
    return value * factor;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_duration(std::string_view text) {
    auto split = split_number(text);
    if (!split) return std::nullopt;
    std::uint64_t factor = 0;
    if (split->suffix.empty() || split->suffix == "s")
        factor = 1000;
    else if (split->suffix == "ms")
        factor = 1;
    else if (split->suffix == "m")
        factor = 60'000;
    else if (split->suffix == "h")
        factor = 3'600'000;
    else if (split->suffix == "d")
        factor = 86'400'000;
    else
        return std::nullopt;
    auto ms = multiply(split->value, factor);
    using Rep = std::chrono::milliseconds::rep;
    if (!ms || *ms > static_cast<std::uint64_t>(std::numeric_limits<Rep>::max()))
        return std::nullopt;
    return std::chrono::milliseconds{static_cast<Rep>(*ms)};
}

std::optional<std::size_t> parse_size(std::string_view text) {
    auto split = split_number(text);
    if (!split) return std::nullopt;
    const std::string_view s = split->suffix;
    std::uint64_t factor = 0;
    if (s.empty())
        factor = 1;
    else if (s == "k" || s == "K" || s == "KiB")
        factor = 1024;
    else if (s == "m" || s == "M" || s == "MiB")
        factor = 1024 * 1024;
    else
        return std::nullopt;
    auto bytes = multiply(split->value, factor);
    if (!bytes || *bytes > std::numeric_limits<std::size_t>::max()) return std::nullopt;
    return static_cast<std::size_t>(*bytes);
}

std::optional<unsigned> parse_count(std::string_view text) {
    auto split = split_number(text);
    if (!split || !split->suffix.empty() || split->value > std::numeric_limits<unsigned>::max())
        return std::nullopt;
    return static_cast<unsigned>(split->value);
}

std::string format_duration(std::chrono::milliseconds d) {
    const auto ms = d.count();
    if (ms != 0 && ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
    if (ms != 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
    if (ms != 0 && ms % 60'000 == 0) return std::to_string(ms / 60'000) + "m";
    if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
    return std::to_string(ms) + "ms";
}

std::string format_size(std::size_t bytes) {
    if (bytes != 0 && bytes % (1024 * 1024) == 0)
        return std::to_string(bytes / (1024 * 1024)) + "M";
    if (bytes != 0 && bytes % 1024 == 0) return std::to_string(bytes / 1024) + "k";
    return std::to_string(bytes);
}

}  // namespace config
