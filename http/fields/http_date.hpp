// HTTP dates (RFC 9110 §5.6.7). Formatting is IMF-fixdate only; parsing accepts IMF-fixdate,
// RFC 850 and asctime forms as the RFC requires of recipients. Called by the response head
// writer and the conditional checks, on any connection's thread; thread-safe, never blocking.
#pragma once

#include <ctime>
#include <optional>
#include <string_view>

namespace http {

// "Sun, 06 Nov 1994 08:49:37 GMT" is 29 characters.
constexpr std::size_t http_date_length = 29;

// Writes exactly http_date_length characters into out (no terminator).
void format_http_date(std::time_t t, char* out) noexcept;

std::optional<std::time_t> parse_http_date(std::string_view s) noexcept;

// The current time as an IMF-fixdate, formatted at most once per second per thread. The view
// stays valid until the next call on the same thread.
std::string_view current_http_date() noexcept;

}  // namespace http
