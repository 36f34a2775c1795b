// Which responses are worth compressing on the fly: a media type matched against the
// configured list. Called by the static handler per request (on the connection's thread);
// pure, no allocation, never blocks.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "http/fields/accept_encoding.hpp"

namespace http {

// True when `content_type` (a Content-Type value; its parameters, such as "; charset=utf-8",
// are ignored) matches one of `patterns`: a media type ("application/json") or a top-level
// wildcard ("text/*"). ASCII case-insensitive, as media types are (RFC 9110 §8.3.1).
bool media_type_matches(std::string_view content_type,
                        std::span<const std::string> patterns) noexcept;

// What a server compresses on the fly: the codings offered (empty: nothing) and the media
// types and sizes that qualify (both bounds inclusive).
struct CompressRule {
    std::span<const Coding> offered;
    std::span<const std::string> types;
    std::uint64_t min_size = 0;
    std::uint64_t max_size = 0;
};

// Whether some client would get a response of this type and size compressed, whatever this
// one accepts: then the response varies on Accept-Encoding.
bool compressible(const CompressRule& rule, std::string_view content_type,
                  std::uint64_t size) noexcept;

}  // namespace http
