// Hazards handled here: a symlink anywhere in the path (not only the last component), ".."
// reached through a symlink, absolute symlink targets, /proc magic links, symlink loops, and
// paths longer than the buffers. The walk never lets the kernel follow a symlink (O_NOFOLLOW
// on every open) and never opens ".." by name (it pops a directory fd it opened itself), so a
// directory renamed during the walk cannot be used to climb out through its new parent.
#include "base/open_beneath.hpp"

#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <cstring>

namespace poly {
namespace detail {
std::atomic<bool> force_openat_walk{false};
}  // namespace detail

namespace {

constexpr int max_symlinks = 40;        // Linux's own MAXSYMLINKS
constexpr std::size_t max_depth = 128;  // directory fds held by the walk at once
constexpr int eagain_retries = 4;

struct PathBuf {
    char data[PATH_MAX];
    std::size_t len = 0;
    std::size_t pos = 0;  // start of the unresolved remainder
};

// Copies `rel` without its leading slashes. Embedded NULs are refused: the kernel would
// silently truncate the name there.
int load_path(std::string_view rel, PathBuf& p) noexcept {
    while (!rel.empty() && rel.front() == '/') rel.remove_prefix(1);
    if (rel.size() >= sizeof p.data) return ENAMETOOLONG;
    if (std::memchr(rel.data(), '\0', rel.size()) != nullptr) return ENOENT;
    std::memcpy(p.data, rel.data(), rel.size());
    p.len = rel.size();
    p.pos = 0;
    p.data[p.len] = '\0';
    return 0;
}

long raw_openat2(int dirfd, const char* path, int flags, std::uint64_t resolve) noexcept {
    open_how how{};
    how.flags = static_cast<std::uint64_t>(static_cast<unsigned>(flags));
    how.resolve = resolve;
    return ::syscall(SYS_openat2, dirfd, path, &how, sizeof how);
}

// Probed once: a seccomp profile may answer EPERM rather than ENOSYS for a syscall it does
// not know, and treating that as "permission denied" would turn every request into a 403.
bool openat2_available() noexcept {
    static const bool available = [] {
        const long fd = raw_openat2(AT_FDCWD, "/", O_PATH | O_CLOEXEC, 0);
        if (fd >= 0) {
            ::close(static_cast<int>(fd));
            return true;
        }
        return errno != ENOSYS && errno != EPERM;
    }();
    return available;
}

OpenResult via_openat2(int dirfd, const char* path, int flags) noexcept {
    for (int attempt = 0;; ++attempt) {
        const long r = raw_openat2(dirfd, path, flags, RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS);
        if (r >= 0) return {poly::UniqueFd(static_cast<int>(r)), 0};
        const int e = errno;
        if (e == EINTR) continue;
        // EAGAIN: a concurrent rename or mount made the kernel unsure the walk stayed
        // beneath the root; it asks us to try again.
        if (e == EAGAIN && attempt < eagain_retries) continue;
        return {poly::UniqueFd(), e};
    }
}

int openat_retry(int dirfd, const char* name, int flags) noexcept {
    int fd;
    do {
        fd = ::openat(dirfd, name, flags);
    } while (fd < 0 && errno == EINTR);
    return fd;
}

// Replaces the resolved component (just before p.pos) by the link target: the new remainder
// is target + old remainder, resolved relative to the directory holding the link.
int substitute_link(PathBuf& p, const char* link, std::size_t link_len) noexcept {
    if (link_len == 0) return ENOENT;
    if (link[0] == '/') return EXDEV;  // absolute: would leave the base, as RESOLVE_BENEATH says
    const std::size_t rest = p.len - p.pos;
    if (link_len + rest >= sizeof p.data) return ENAMETOOLONG;
    std::memmove(p.data + link_len, p.data + p.pos, rest);
    std::memcpy(p.data, link, link_len);
    p.len = link_len + rest;
    p.pos = 0;
    p.data[p.len] = '\0';
    return 0;
}

// O_PATH | O_NOFOLLOW does not fail on a symlink: it opens the link itself.
bool is_symlink_fd(int fd, int flags) noexcept {
    struct stat st {};
    return (flags & O_PATH) != 0 && ::fstat(fd, &st) == 0 && S_ISLNK(st.st_mode);
}

class Walker {
public:
    explicit Walker(int base) noexcept : base_(base) {}
    OpenResult run(PathBuf& p, int flags) noexcept;

private:
    [[nodiscard]] int cur() const noexcept {
        return depth_ != 0 ? stack_[depth_ - 1].get() : base_;
    }
    // The open failed with ELOOP/ENOTDIR: if `name` is a symlink, splice its target in.
    int follow(PathBuf& p, const char* name, int open_error) noexcept;

    int base_;
    poly::UniqueFd stack_[max_depth];
    std::size_t depth_ = 0;
    int links_ = 0;
};

int Walker::follow(PathBuf& p, const char* name, int open_error) noexcept {
    char link[PATH_MAX];
    const ssize_t n = ::readlinkat(cur(), name, link, sizeof link);
    if (n < 0) return open_error;  // EINVAL: not a symlink, so the open's error stands
    if (static_cast<std::size_t>(n) == sizeof link) return ENAMETOOLONG;
    if (++links_ > max_symlinks) return ELOOP;
    return substitute_link(p, link, static_cast<std::size_t>(n));
}

OpenResult Walker::run(PathBuf& p, int flags) noexcept {
    char name[NAME_MAX + 1];
    for (;;) {
        while (p.pos < p.len && p.data[p.pos] == '/') ++p.pos;
        // The remainder ran out on a directory ("", or a link to ".."): open it.
        if (p.pos == p.len)
            return {poly::UniqueFd(openat_retry(cur(), ".", flags | O_NOFOLLOW)), errno};
        std::size_t end = p.pos;
        while (end < p.len && p.data[end] != '/') ++end;
        const std::size_t n = end - p.pos;
        if (n > NAME_MAX) return {poly::UniqueFd(), ENAMETOOLONG};
        std::memcpy(name, p.data + p.pos, n);
        name[n] = '\0';
        std::size_t next = end;
        while (next < p.len && p.data[next] == '/') ++next;
        const bool last = next == p.len;
        p.pos = end;  // the remainder keeps its slash, so "link/" still requires a directory

        if (n == 1 && name[0] == '.') continue;
        if (n == 2 && name[0] == '.' && name[1] == '.') {
            if (depth_ == 0) return {poly::UniqueFd(), EXDEV};
            stack_[--depth_].reset();
            continue;
        }
        const int open_flags = last ? flags | O_NOFOLLOW | (end < p.len ? O_DIRECTORY : 0)
                                    : O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
        const int fd = openat_retry(cur(), name, open_flags);
        if (fd >= 0 && last && is_symlink_fd(fd, flags)) {
            ::close(fd);
            if (const int err = follow(p, name, ELOOP); err != 0) return {poly::UniqueFd(), err};
            continue;
        }
        if (fd >= 0) {
            if (last) return {poly::UniqueFd(fd), 0};
            if (depth_ == max_depth) {
                ::close(fd);
                return {poly::UniqueFd(), ENAMETOOLONG};
            }
            stack_[depth_++].reset(fd);
            continue;
        }
        const int e = errno;
        if (e != ELOOP && e != ENOTDIR) return {poly::UniqueFd(), e};
        if (const int err = follow(p, name, e); err != 0) return {poly::UniqueFd(), err};
    }
}

}  // namespace

namespace detail {

OpenResult open_beneath_walk(int dirfd, std::string_view rel, int flags) noexcept {
    PathBuf p;
    if (const int err = load_path(rel, p); err != 0) return {poly::UniqueFd(), err};
    Walker w(dirfd);
    OpenResult r = w.run(p, flags);
    if (r.fd) r.error = 0;
    return r;
}

}  // namespace detail

OpenResult open_beneath(int dirfd, std::string_view rel, int flags) noexcept {
    if (detail::force_openat_walk.load(std::memory_order_relaxed) || !openat2_available()) {
        return detail::open_beneath_walk(dirfd, rel, flags);
    }
    PathBuf p;
    if (const int err = load_path(rel, p); err != 0) return {poly::UniqueFd(), err};
    return via_openat2(dirfd, p.len == 0 ? "." : p.data, flags);
}

}  // namespace poly
