// Which responses are worth compressing on the fly: a media type matched against the
// configured list. Called by the static handler per request (on the connection's thread);
// pure, no allocation, never blocks.
#pragma once

#include <span>
#include <string>
#include <string_view>

namespace http {

// True when `content_type` (a Content-Type value; its parameters, such as "; charset=utf-8",
// are ignored) matches one of `patterns`: a media type ("application/json") or a top-level
// wildcard ("text/*"). ASCII case-insensitive, as media types are (RFC 9110 §8.3.1).
bool media_type_matches(std::string_view content_type,
                        std::span<const std::string> patterns) noexcept;

}  // namespace http
