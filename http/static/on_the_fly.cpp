#include "http/static/on_the_fly.hpp"

#include <algorithm>

#include "http/compress/compressible.hpp"

namespace http {

// Vary goes on every response of a file that some client would get compressed, whatever this
// client gets, 304 included. A Range request gets the identity file, as nginx does. A variant
// larger than the cache holds streams from the open file rather than being sent uncompressed
// (what nginx's gzip does for every size, and Caddy's encode too). A stream is gzip or
// nothing: zlib keeps about 256 KiB per connection while it compresses, Brotli and zstd at
// the levels used here several MiB (zstd 9: up to 17 MiB), which a hundred parallel
// downloads of a large file would turn into gigabytes. Brotli and zstd stay for the cached
// variants, made once per file and held in the cache's bounded bytes.
OnTheFly on_the_fly(const StaticConfig& cfg, std::size_t max_cached, const Request& req,
                    std::string_view type, std::uint64_t size, bool in_memory) noexcept {
    const CompressRule rule{cfg.compress, cfg.compress_types, cfg.compress_min_size,
                            cfg.compress_max_size};
    OnTheFly r;
    if (!compressible(rule, type, size)) return r;
    r.vary = true;
    if (!req.range.empty()) return r;
    r.coding = negotiate_encoding(req.accept_encoding, cfg.compress);
    r.stream = r.coding != Coding::identity && !in_memory && size > max_cached;
    if (r.stream && r.coding != Coding::gzip) {
        static constexpr Coding gzip_only[] = {Coding::gzip};
        const bool offered =
            std::find(cfg.compress.begin(), cfg.compress.end(), Coding::gzip) != cfg.compress.end();
        r.coding = offered ? negotiate_encoding(req.accept_encoding, gzip_only) : Coding::identity;
        r.stream = r.coding == Coding::gzip;
    }
    return r;
}

}  // namespace http
