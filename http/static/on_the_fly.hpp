// Compression on the fly for one response of a file: whether it varies on Accept-Encoding,
// which coding this request gets, and whether that variant is cached whole (variant_cache.hpp)
// or compressed while it is sent (compressed_body.hpp). Called by the static handler once per
// request, on the connection's thread; pure, never blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "http/fields/accept_encoding.hpp"
#include "http/proto/request.hpp"
#include "http/static/static_handler.hpp"

namespace http {

struct OnTheFly {
    Coding coding = Coding::identity;
    bool vary = false;    // some client would get this file compressed: its type and size qualify
    bool stream = false;  // `coding` is applied while the file is sent
};

// For the identity representation of a file of media type `type` and `size` bytes (a
// precompressed sibling is never compressed again: the caller asks only without one).
// `max_cached` is the variant cache's largest entry; `in_memory`: the file's bytes are in the
// small-file cache, so its variant is made from there whatever its size.
OnTheFly on_the_fly(const StaticConfig& cfg, std::size_t max_cached, const Request& req,
                    std::string_view type, std::uint64_t size, bool in_memory) noexcept;

}  // namespace http
