#include "server/obs/log_file.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <new>

namespace server {
namespace {

static_assert(std::atomic<std::uint64_t>::is_always_lock_free,
              "the rotation counter is shared between processes");

std::atomic<std::uint64_t>* map_counter() {
    void* mem = ::mmap(nullptr, sizeof(std::atomic<std::uint64_t>), PROT_READ | PROT_WRITE,
                       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    return new (mem) std::atomic<std::uint64_t>(0);
}

int open_append(const std::string& path) {
    return ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
}

}  // namespace

LogFile::LogFile(std::string what, const std::string& target, int std_fd, bool allow_off)
    : what_(std::move(what)), std_fd_(std_fd), allow_off_(allow_off), rotations_(map_counter()) {
    if (const std::error_code ec = retarget(target))
        throw std::system_error(ec, what_ + " " + target);
}

LogFile::~LogFile() { ::munmap(rotations_, sizeof *rotations_); }

int LogFile::fd() const noexcept {
    // A counter ahead of ours means another process (the master) rotated: follow it. The
    // master itself stores seen_ before publishing, so its own threads never reopen again.
    std::uint64_t seen = seen_.load(std::memory_order_relaxed);
    const std::uint64_t now = rotations_->load(std::memory_order_acquire);
    if (now > seen && seen_.compare_exchange_strong(seen, now)) reopen_after_rotation();
    return fd_.load(std::memory_order_acquire);
}

void LogFile::reopen_after_rotation() const noexcept {
    if (path_.empty()) return;
    const int fresh = open_append(path_);
    if (fresh < 0) return;  // keep writing to the old file rather than lose lines
    ::dup2(fresh, owned_.get());
    ::close(fresh);
}

std::error_code LogFile::open_path(const std::string& path) {
    const int fresh = open_append(path);
    if (fresh < 0) return {errno, std::generic_category()};
    if (owned_) {
        // dup2 swaps the file under the same number atomically for every concurrent writer.
        if (::dup2(fresh, owned_.get()) < 0) {
            const int err = errno;
            ::close(fresh);
            return {err, std::generic_category()};
        }
        ::close(fresh);
    } else {
        owned_.reset(fresh);
    }
    return {};
}

std::error_code LogFile::reopen() {
    if (path_.empty()) return {};
    if (const std::error_code ec = open_path(path_)) return ec;
    // Single writer (this thread): ours first, then the shared one other processes follow.
    const std::uint64_t next = rotations_->load(std::memory_order_relaxed) + 1;
    seen_.store(next, std::memory_order_relaxed);
    rotations_->store(next, std::memory_order_release);
    return {};
}

std::error_code LogFile::retarget(const std::string& target) {
    if (target == "off" && allow_off_) {
        fd_.store(-1, std::memory_order_release);  // owned_ stays open: a writer may hold it
        path_.clear();
    } else if (target == "-") {
        fd_.store(std_fd_, std::memory_order_release);
        path_.clear();
    } else if (target != path_) {
        if (const std::error_code ec = open_path(target)) return ec;
        path_ = target;
        fd_.store(owned_.get(), std::memory_order_release);
    }
    target_ = target;
    return {};
}

}  // namespace server
