#include "http/static/variant_cache.hpp"

#include <unistd.h>

#include <functional>
#include <string>

#include "http/compress/encoder.hpp"

namespace http {

FileIdentity FileIdentity::of(const struct stat& st) noexcept {
    return {static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino),
            static_cast<std::uint64_t>(st.st_size),
            static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

std::size_t VariantCache::KeyHash::operator()(const Key& k) const noexcept {
    const std::hash<std::uint64_t> h;
    return h(k.ino) ^ (h(k.dev) << 1) ^ (static_cast<std::size_t>(k.coding) << 3);
}

void VariantCache::erase(List::iterator it) {
    bytes_ -= it->charge;
    index_.erase(it->key);
    lru_.erase(it);
}

std::shared_ptr<const CachedFile> VariantCache::find(const FileIdentity& id, Coding c) {
    const std::lock_guard lock(mu_);
    const auto it = index_.find(Key{id.dev, id.ino, c});
    if (it == index_.end()) return nullptr;
    if (it->second->id != id) {  // the file changed: this variant can never be sent again
        erase(it->second);
        return nullptr;
    }
    lru_.splice(lru_.begin(), lru_, it->second);
    return it->second->body;
}

void VariantCache::insert(const FileIdentity& id, Coding c,
                          std::shared_ptr<const CachedFile> body) {
    const std::size_t charge = body->body.size() + entry_overhead;
    if (charge > max_entry_size()) return;
    const Key key{id.dev, id.ino, c};
    const std::lock_guard lock(mu_);
    if (const auto it = index_.find(key); it != index_.end()) erase(it->second);
    while (!lru_.empty() && bytes_ + charge > max_bytes_) erase(std::prev(lru_.end()));
    lru_.push_front(Node{key, id, std::move(body), charge});
    index_.emplace(key, lru_.begin());
    bytes_ += charge;
}

std::shared_ptr<const CachedFile> VariantCache::find_or_compress(int fd, const CachedFile* mem,
                                                                 const struct stat& st, Coding c) {
    const FileIdentity id = FileIdentity::of(st);
    if (auto hit = find(id, c)) return hit;
    auto made = compress_variant(fd, mem, st, c);
    if (made) insert(id, c, made);
    return made;
}

std::size_t VariantCache::bytes() const {
    const std::lock_guard lock(mu_);
    return bytes_;
}

std::size_t VariantCache::entries() const {
    const std::lock_guard lock(mu_);
    return lru_.size();
}

namespace {

// Streams the file through the encoder in pieces of one buffer.
bool feed_file(int fd, std::uint64_t size, Encoder& enc, std::string& out) {
    std::string buf(std::min<std::uint64_t>(size, 64 * 1024), '\0');
    std::uint64_t done = 0;
    while (done < size) {
        const std::size_t want =
            static_cast<std::size_t>(std::min<std::uint64_t>(size - done, buf.size()));
        const ssize_t n = ::pread(fd, buf.data(), want, static_cast<off_t>(done));
        if (n <= 0) return false;  // truncated under us (or EIO): no variant this time
        if (!enc.feed({buf.data(), static_cast<std::size_t>(n)}, out)) return false;
        done += static_cast<std::uint64_t>(n);
    }
    return true;
}

}  // namespace

std::shared_ptr<const CachedFile> compress_variant(int fd, const CachedFile* mem,
                                                   const struct stat& st, Coding c) {
    const auto size = static_cast<std::uint64_t>(st.st_size);
    const std::unique_ptr<Encoder> enc =
        make_encoder(c, default_level(c), static_cast<std::size_t>(size));
    if (!enc) return nullptr;
    auto entry = std::make_shared<CachedFile>();
    const bool fed =
        mem != nullptr ? enc->feed(mem->body, entry->body) : feed_file(fd, size, *enc, entry->body);
    if (!fed || !enc->finish(entry->body)) return nullptr;
    if (mem == nullptr) {
        // Written while we read: the bytes may mix two versions. The memory copy (`mem`) was
        // checked when it was read.
        struct stat after {};
        if (::fstat(fd, &after) != 0 || !(FileIdentity::of(after) == FileIdentity::of(st)))
            return nullptr;
    }
    entry->body.shrink_to_fit();
    entry->st = st;
    entry->encoding = coding_name(c);
    entry->vary = true;
    entry->checked = FileCache::clock::now();
    return entry;
}

}  // namespace http
