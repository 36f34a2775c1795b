// The representation a static response sends: the file itself or a precompressed sibling,
// from its own descriptor, from memory (a small cached file, a compressed variant) or from a
// descriptor the file cache keeps open. Used by static_handler.cpp only.
#pragma once

#include <sys/stat.h>

#include <memory>
#include <string_view>
#include <utility>

#include "base/unique_fd.hpp"
#include "http/proto/response.hpp"
#include "http/static/file_cache.hpp"

namespace http {

struct Representation {
    poly::UniqueFd fd;
    struct stat st {};
    std::string_view encoding;
    std::shared_ptr<const CachedFile> cached;  // set: served from memory, fd unused
    // Set instead of fd: an entry the file cache keeps open. Its descriptor is borrowed (the
    // response holds the entry), so a hit costs no dup() and no close().
    std::shared_ptr<const CachedFile> kept;
};

// The descriptor to read the representation from (-1 when it is in memory only).
inline int fd_of(const Representation& rep) noexcept {
    return rep.kept ? rep.kept->fd.get() : rep.fd.get();
}

// Moves the body's source into the response (file_descriptor() and cached_body() in
// file_cache.hpp read it back in the same order).
inline void hand_over(Representation& rep, Response& res) {
    res.file = std::move(rep.fd);
    res.cached = rep.cached ? std::move(rep.cached) : std::move(rep.kept);
}

}  // namespace http
