#include "http/static/file_cache.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <climits>

namespace http {
namespace {

// Key: the decoded path, a NUL (never part of a decoded path), and the codings bit set.
// Built on the stack: a lookup allocates nothing.
struct Key {
    char buf[PATH_MAX + 2];
    std::size_t len = 0;
    Key(std::string_view path, unsigned codings) noexcept {
        len = std::min(path.size(), std::size_t{PATH_MAX});
        std::copy_n(path.data(), len, buf);
        buf[len++] = '\0';
        buf[len++] = static_cast<char>('0' + (codings & 7u));
    }
    [[nodiscard]] std::string_view view() const noexcept { return {buf, len}; }
};

}  // namespace

std::shared_ptr<CachedFile> read_cached_file(int fd, const struct stat& st) {
    const auto size = static_cast<std::size_t>(st.st_size);
    auto entry = std::make_shared<CachedFile>();
    entry->body.resize(size);
    std::size_t got = 0;
    while (got < size) {
        const ssize_t n =
            ::pread(fd, entry->body.data() + got, size - got, static_cast<off_t>(got));
        if (n <= 0) return nullptr;
        got += static_cast<std::size_t>(n);
    }
    entry->st = st;
    entry->checked = FileCache::clock::now();
    return entry;
}

std::shared_ptr<CachedFile> open_cached_file(int fd, const struct stat& st) {
    poly::UniqueFd copy(::fcntl(fd, F_DUPFD_CLOEXEC, 0));
    if (!copy) return nullptr;
    auto entry = std::make_shared<CachedFile>();
    entry->fd = std::move(copy);
    entry->st = st;
    entry->checked = FileCache::clock::now();
    return entry;
}

const std::string* cached_body(const Response& res) noexcept {
    return res.cached != nullptr && !res.cached->fd ? &res.cached->body : nullptr;
}

int file_descriptor(const Response& res) noexcept {
    return res.cached != nullptr && res.cached->fd ? res.cached->fd.get() : res.file.get();
}

FileCache::Shard& FileCache::shard_for(std::string_view key) const noexcept {
    return shards_[Hash{}(key) % shard_count];
}

std::shared_ptr<const CachedFile> FileCache::find(std::string_view path, unsigned codings,
                                                  clock::time_point now) const {
    const Key key(path, codings);
    Shard& s = shard_for(key.view());
    const std::lock_guard lock(s.mu);
    const auto it = s.map.find(key.view());
    if (it == s.map.end() || now - it->second->checked > valid_for_) return nullptr;
    return it->second;
}

void FileCache::Shard::erase(Map::iterator it) {
    bytes -= it->second->body.size();
    open -= it->second->fd ? 1 : 0;
    map.erase(it);
}

void FileCache::insert(std::string_view path, unsigned codings,
                       std::shared_ptr<const CachedFile> file) {
    if (file->body.size() > max_file_size_) return;
    const Key key(path, codings);
    Shard& s = shard_for(key.view());
    const std::size_t budget = max_total_ / shard_count;
    const std::size_t open_budget = max_open_ / shard_count;
    const bool kept_open = static_cast<bool>(file->fd);
    const std::lock_guard lock(s.mu);
    if (auto it = s.map.find(key.view()); it != s.map.end()) s.erase(it);
    // Over budget: drop arbitrary entries. Small files are cheap to re-read, and large ones
    // to re-open; a smarter policy would cost more bookkeeping per hit than it saves.
    while (!s.map.empty() &&
           (s.bytes + file->body.size() > budget || (kept_open && s.open + 1 > open_budget)))
        s.erase(s.map.begin());
    if (file->body.size() > budget || (kept_open && open_budget == 0)) return;
    s.bytes += file->body.size();
    s.open += kept_open ? 1 : 0;
    s.map.emplace(std::string(key.view()), std::move(file));
}

}  // namespace http
