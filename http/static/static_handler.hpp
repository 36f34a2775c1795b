// StaticHandler: serves files beneath a root directory for GET and HEAD. It opens files; it
// never touches a socket. handle() is const and thread-safe: one handler serves every
// connection of every model. Construction (at startup) throws on a bad root.
#pragma once

#include <chrono>
#include <cstddef>
#include <memory>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "http/fields/accept_encoding.hpp"
#include "http/proto/request.hpp"
#include "http/proto/response.hpp"
#include "http/static/file_cache.hpp"
#include "http/static/mime.hpp"
#include "http/static/variant_cache.hpp"

namespace http {

struct StaticConfig {
    std::string root = ".";
    std::vector<std::string> index = {"index.html"};
    bool autoindex = false;
    bool hidden = false;        // serve dotfiles (".well-known" is always served)
    bool precompressed = true;  // look for .br / .gz siblings
    std::size_t max_ranges = 16;
    std::string mime_types_file = "/etc/mime.types";  // optional; missing file is fine
    // Small-file cache (file_cache.hpp): files up to this size are served from memory.
    // Measured (bench, pinned, req per server CPU-second): copying from memory beats
    // open + sendfile + close at 16 KiB (124k vs 104k) and loses from 32 KiB (91k vs 98k;
    // at 64 KiB 64k vs 75k), since sendfile hands page-cache pages over without a copy.
    std::size_t cache_max_file_size = 16 * 1024;  // 0 disables the cache
    std::size_t cache_max_bytes = 64 * 1024 * 1024;
    std::chrono::milliseconds cache_valid_for{1000};
    // Compression on the fly: the codings offered in the server's order of preference (empty:
    // off); the client's Accept-Encoding q-values choose among them. Only for media types in
    // compress_types (no parameters; "text/*" covers a top-level type; server/runtime copies
    // the configuration's list) and sizes in [compress_min_size, compress_max_size]. Variants
    // are cached in compress_cache bytes (variant_cache.hpp); a file larger than an eighth
    // of that is compressed while it is sent, never held whole (compressed_body.hpp).
    std::vector<Coding> compress;
    std::vector<std::string> compress_types;
    std::size_t compress_min_size = 256;
    std::size_t compress_max_size = 64 * 1024 * 1024;
    std::size_t compress_cache = 64 * 1024 * 1024;
};

class StaticHandler {
public:
    // Throws std::system_error when the root cannot be opened as a directory. `variants`: a
    // compressed-variant cache shared with other handlers (the sites of one SiteTable, so that
    // compress_cache bounds the process, not each site); null: one of its own, of
    // cfg.compress_cache bytes. Variants are keyed by the file's identity, so two sites
    // serving one file share its variant too.
    explicit StaticHandler(StaticConfig cfg, std::shared_ptr<VariantCache> variants = nullptr);

    // GET or HEAD only (the Connection answers other methods). Fills `res` completely:
    // status, headers fields and body pieces (HEAD gets the same fields; the serializer
    // omits the body). Never throws for request-dependent errors: they become 4xx/5xx.
    void handle(const Request& req, Response& res) const;

    [[nodiscard]] const StaticConfig& config() const noexcept { return cfg_; }

private:
    StaticConfig cfg_;
    poly::UniqueFd root_fd_;
    MimeTypes mime_;
    std::unique_ptr<FileCache> cache_;        // its own locks: handle() stays const and thread-safe
    std::shared_ptr<VariantCache> variants_;  // likewise
};

}  // namespace http
