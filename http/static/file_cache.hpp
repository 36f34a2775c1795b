// FileCache: small files kept in memory with the metadata their responses need, so a GET of a
// small page costs no open, fstat, sendfile or close: the body rides in the same send as the
// head. Shared by every thread of a StaticHandler: lookups take one shard's mutex briefly and
// hand out shared_ptrs, so an entry replaced while a response still sends it stays alive.
// Freshness: an entry is trusted for `valid_for` after it was built or re-checked; after that
// the handler re-opens the file beneath the root and the entry is rebuilt if inode, size or
// mtime changed (like nginx's open_file_cache_valid, but one second instead of sixty).
// A file too large to keep in memory is kept open instead (nginx's open_file_cache): a hit
// then costs one fstat (a file rewritten in place is seen at once) instead of an open beneath
// the root, the precompressed siblings' probes and a close. The response borrows the entry's
// descriptor (sendfile and pread use offsets only) and holds the entry until it is sent.
// At most max_open_files such descriptors.
#pragma once

#include <sys/stat.h>

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "base/unique_fd.hpp"
#include "http/proto/response.hpp"

namespace http {

struct CachedFile {
    std::string body;
    poly::UniqueFd fd;          // instead of body: a file kept open (read with offsets only)
    struct stat st {};          // of the representation actually sent
    std::string_view encoding;  // "br", "gzip" or empty (static storage)
    bool vary = false;          // the file has a precompressed sibling
    std::chrono::steady_clock::time_point checked{};
};

// A regular file's bytes read whole into a fresh entry (st and checked set; encoding and vary
// are the caller's). Null when the read falls short: the file shrank under us. Blocks on the
// file's reads.
std::shared_ptr<CachedFile> read_cached_file(int fd, const struct stat& st);
// A fresh entry holding a duplicate of `fd` (st and checked set); null when dup() fails.
std::shared_ptr<CachedFile> open_cached_file(int fd, const struct stat& st);

// Where a response's file pieces come from: the cached entry's body, else the descriptor the
// entry keeps open, else the response's own file (Response::cached wins over Response::file).
// cached_body is null when the pieces are not in memory; file_descriptor -1 when none.
const std::string* cached_body(const Response& res) noexcept;
int file_descriptor(const Response& res) noexcept;

class FileCache {
public:
    using clock = std::chrono::steady_clock;

    static constexpr std::size_t default_max_open_files = 256;

    FileCache(std::size_t max_file_size, std::size_t max_total_bytes,
              std::chrono::milliseconds valid_for,
              std::size_t max_open_files = default_max_open_files)
        : max_file_size_(max_file_size),
          max_total_(max_total_bytes),
          max_open_(max_open_files),
          valid_for_(valid_for) {}

    [[nodiscard]] std::size_t max_file_size() const noexcept { return max_file_size_; }

    // The entry for (path, codings) when present and checked within valid_for; else null.
    // `codings` is the request's acceptable precompressed codings as a small bit set.
    std::shared_ptr<const CachedFile> find(std::string_view path, unsigned codings,
                                           clock::time_point now) const;

    // Stores (or replaces) an entry; silently refused when larger than the limits allow (an
    // entry kept open counts against max_open_files, not the bytes).
    void insert(std::string_view path, unsigned codings, std::shared_ptr<const CachedFile> file);

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    struct Shard {
        using Map = std::unordered_map<std::string, std::shared_ptr<const CachedFile>, Hash,
                                       std::equal_to<>>;
        mutable std::mutex mu;
        Map map;
        std::size_t bytes = 0;
        std::size_t open = 0;          // entries holding a descriptor
        void erase(Map::iterator it);  // under mu
    };
    static constexpr std::size_t shard_count = 16;

    Shard& shard_for(std::string_view key) const noexcept;

    std::size_t max_file_size_;
    std::size_t max_total_;
    std::size_t max_open_;
    std::chrono::milliseconds valid_for_;
    mutable std::array<Shard, shard_count> shards_;
};

}  // namespace http
