// open_beneath: opens a decoded, normalised relative path beneath a directory fd so that no
// path component, ".." or symlink (absolute, relative or /proc magic link) can ever resolve to
// something outside that directory. Called by the StaticHandler on the request path, from any
// thread; it blocks only as long as the filesystem does (open of a fifo must be asked for with
// O_NONBLOCK by the caller). Never throws.
//
// The primary path is openat2(RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS): the kernel does the
// walk and also guards against rename races. Where openat2 is missing (ENOSYS: old kernels,
// some seccomp profiles) a userspace walk takes over: one openat(O_NOFOLLOW) per component,
// symlinks read and substituted textually, ".." popped off a stack of already-open directory
// fds and refused at the base. Both give EXDEV for an escape attempt.
#pragma once

#include <atomic>
#include <string_view>

#include "base/unique_fd.hpp"

namespace poly {

struct OpenResult {
    poly::UniqueFd fd;
    int error = 0;  // errno when !fd
};

// `rel` is relative to `dirfd` (a leading '/' is ignored: it names `dirfd` itself; an empty
// path opens `dirfd` itself). A trailing '/' requires a directory, as with open(2). `flags`
// are open(2) flags; O_CREAT and O_TMPFILE are not supported.
OpenResult open_beneath(int dirfd, std::string_view rel, int flags) noexcept;

namespace detail {

// Test hook: when true, open_beneath always takes the userspace walk, as if openat2 had
// returned ENOSYS. Not for production use.
extern std::atomic<bool> force_openat_walk;

// The userspace walk itself, exposed for tests.
OpenResult open_beneath_walk(int dirfd, std::string_view rel, int flags) noexcept;

}  // namespace detail
}  // namespace poly
