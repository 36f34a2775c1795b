// Reads the bytes a Connection produced as a client would, and aborts (fuzz::violated) on
// anything a client could misread: a malformed status line or header field, a missing,
// repeated or wrong Content-Length, a Transfer-Encoding we never send, a Content-Range that
// does not match the body, bytes after the last response, or a response larger than the
// root could ever justify (amplification).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace fuzz {

struct ParsedResponse {
    int status = 0;
    bool close = false;              // Connection: close
    std::uint64_t body_length = 0;   // body bytes on the wire
};

struct ResponseBounds {
    std::size_t max_head = 4096;
    std::uint64_t max_body = 0;
};

// `head_request[i]`: response i answers a HEAD request (its body is omitted whatever its
// Content-Length says). `output` must hold exactly head_request.size() responses.
std::vector<ParsedResponse> split_responses(std::string_view output,
                                            const std::vector<bool>& head_request,
                                            const ResponseBounds& bounds);

}  // namespace fuzz
