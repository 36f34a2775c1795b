// The body parts of a 206 response (RFC 9110 §14.4, §14.6): the Content-Range value and a
// multipart/byteranges body. Called by the static handler on the connection's thread, after
// the ranges were evaluated (range.hpp); never blocks. The first multipart body of a process
// draws its boundary from getrandom (GRND_NONBLOCK: never waits for entropy).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "http/fields/range.hpp"
#include "http/proto/response.hpp"

namespace http {

// Appends "bytes first-last/size".
void append_content_range(std::string& out, const ByteRange& r, std::uint64_t size);

// Makes res's body the given ranges of its representation, each behind a part header naming
// `type` (the representation's Content-Type), and sets res.content_type to
// multipart/byteranges with the process's boundary.
void set_multipart_body(Response& res, const std::vector<ByteRange>& ranges, std::uint64_t size,
                        std::string_view type);

}  // namespace http
