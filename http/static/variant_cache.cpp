#include "http/static/variant_cache.hpp"

#include <functional>
#include <string>

#include "http/compress/encoder.hpp"
#include "http/static/compressed_body.hpp"

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

// The whole variant, from the file read in pieces (never held whole; FileCompressor checks
// that it did not change while it was read) or from its memory copy, in the same pieces: the
// same bytes either way, and the same as a stream of it.
bool compress_whole(int fd, const CachedFile* mem, const struct stat& st, Coding c,
                    std::string& out) {
    FileCompressor fc = mem != nullptr ? FileCompressor(std::string_view(mem->body), st, c)
                                       : FileCompressor(fd, st, c);
    for (;;) {
        switch (fc.next(out)) {
            case BodyStream::Status::more: break;
            case BodyStream::Status::done: return true;
            case BodyStream::Status::failed: return false;
        }
    }
}

}  // namespace

std::shared_ptr<const CachedFile> compress_variant(int fd, const CachedFile* mem,
                                                   const struct stat& st, Coding c) {
    auto entry = std::make_shared<CachedFile>();
    if (!compress_whole(fd, mem, st, c, entry->body)) return nullptr;
    entry->body.shrink_to_fit();
    entry->st = st;
    entry->encoding = coding_name(c);
    entry->vary = true;
    entry->checked = FileCache::clock::now();
    return entry;
}

}  // namespace http
