// VariantCache: compressed variants of files, kept in memory so that a hot file is compressed
// once. Keyed by the file's identity (device, inode, size, mtime in nanoseconds) and the
// coding; bounded in bytes, least recently used out. Shared by every thread of a
// StaticHandler (one per process under fork and prefork): one mutex, held for a hash lookup
// and a list splice, never while compressing. Entries are handed out as shared_ptr, so an
// entry evicted while a response still sends it stays alive until that response is done.
// Two threads missing the same variant at once both compress it and the later insert
// replaces the earlier one: wasted work, never a torn entry.
#pragma once

#include <sys/stat.h>

#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <unordered_map>

#include "http/fields/accept_encoding.hpp"
#include "http/static/file_cache.hpp"

namespace http {

struct FileIdentity {
    std::uint64_t dev = 0;
    std::uint64_t ino = 0;
    std::uint64_t size = 0;
    std::int64_t mtime_ns = 0;

    static FileIdentity of(const struct stat& st) noexcept;
    friend bool operator==(const FileIdentity&, const FileIdentity&) = default;
};

class VariantCache {
public:
    // Entries are charged their body's size plus a fixed overhead (so that a flood of empty
    // bodies is still bounded); none is larger than max_entry_size().
    static constexpr std::size_t entry_overhead = 256;

    explicit VariantCache(std::size_t max_bytes) noexcept : max_bytes_(max_bytes) {}

    // The largest variant worth holding: an eighth of the budget, so that one big file cannot
    // flush every other variant. A larger file is compressed as a stream instead
    // (compressed_body.hpp); with 0, every file is.
    [[nodiscard]] std::size_t max_entry_size() const noexcept { return max_bytes_ / 8; }

    // The variant of exactly this identity, or null. A variant of an older version of the
    // file (same device and inode, other size or mtime) is dropped on the way.
    std::shared_ptr<const CachedFile> find(const FileIdentity& id, Coding c);

    // Stores (or replaces) the variant; silently refused when larger than max_entry_size().
    void insert(const FileIdentity& id, Coding c, std::shared_ptr<const CachedFile> body);

    // The variant of the file `st` describes: found, or compressed now (compress_variant
    // below, outside the lock) and inserted. Null when it cannot be made.
    std::shared_ptr<const CachedFile> find_or_compress(int fd, const CachedFile* mem,
                                                       const struct stat& st, Coding c);

    [[nodiscard]] std::size_t bytes() const;
    [[nodiscard]] std::size_t entries() const;

private:
    struct Key {
        std::uint64_t dev, ino;
        Coding coding;
        friend bool operator==(const Key&, const Key&) = default;
    };
    struct KeyHash {
        std::size_t operator()(const Key& k) const noexcept;
    };
    struct Node {
        Key key;
        FileIdentity id;
        std::shared_ptr<const CachedFile> body;
        std::size_t charge;
    };
    using List = std::list<Node>;

    void erase(List::iterator it);  // mu_ held

    std::size_t max_bytes_;
    mutable std::mutex mu_;
    List lru_;  // most recently used first
    std::unordered_map<Key, List::iterator, KeyHash> index_;
    std::size_t bytes_ = 0;
};

// Compresses a file's bytes into a variant entry (its st the file's, its encoding `c`'s
// name). From memory when `mem` is set, else read from `fd` in pieces (the input is never
// held whole), by the same FileCompressor as a streamed variant, so both are the same bytes. Null
// when the encoder failed, the read fell short, or the file changed while it was read (its identity
// after the read differs from `st`): the caller then sends the file as it is. Blocks on the file's
// reads; CPU-bound otherwise.
std::shared_ptr<const CachedFile> compress_variant(int fd, const CachedFile* mem,
                                                   const struct stat& st, Coding c);

}  // namespace http
