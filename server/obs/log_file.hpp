// LogFile: one log destination shared by every thread and process of the server: off, a
// standard stream ("-"), or a file opened O_APPEND (one write(2) per line, so concurrent
// writers never interleave within a line).
//
// Rotation (SIGUSR1, logrotate): reopen() runs on the master's control thread. It opens the
// path anew and dup2()s the new file onto the SAME descriptor number, so a thread that loaded
// fd() a moment earlier writes to a valid descriptor at every instant (old file or new, never
// a closed or recycled number). Forked children and prefork workers have their own descriptor
// tables, so reopen() also bumps a counter in MAP_SHARED memory; every process compares it
// with what it last saw inside fd() and reopens its own copy before its next line. Construct
// LogFiles at startup, before any fork, so the shared counter is inherited.
//
// retarget() (SIGHUP with a new path) changes the destination of the calling process and of
// the children it forks afterwards; children forked earlier keep the old path until they exit
// or are replaced (prefork replaces its workers on reload).
#pragma once

#include <atomic>
#include <cstdint>
#include <string>
#include <system_error>

#include "base/unique_fd.hpp"

namespace server {

class LogFile {
public:
    // target: "off" (only when allow_off), "-" for std_fd, or a path (created 0640).
    // Throws std::system_error naming `what` and the path when the file cannot be opened.
    LogFile(std::string what, const std::string& target, int std_fd, bool allow_off);
    ~LogFile();
    LogFile(const LogFile&) = delete;
    LogFile& operator=(const LogFile&) = delete;

    // The descriptor to write one line to, -1 when off. Any thread, any process; noexcept and
    // lock-free (it may reopen the file once after a rotation made by another process).
    [[nodiscard]] int fd() const noexcept;
    [[nodiscard]] bool is_file() const noexcept { return !path_.empty(); }
    [[nodiscard]] const std::string& target() const noexcept { return target_; }

    // Control thread of the master only. On failure the old destination is kept.
    std::error_code reopen();
    std::error_code retarget(const std::string& target);

private:
    [[nodiscard]] std::error_code open_path(const std::string& path);
    void reopen_after_rotation() const noexcept;

    std::string what_;
    std::string target_;
    std::string path_;  // empty unless the target is a file
    int std_fd_;
    bool allow_off_;
    poly::UniqueFd owned_;                        // the file's descriptor; its number never changes
    std::atomic<int> fd_{-1};                     // what writers use: owned_, std_fd_ or -1
    std::atomic<std::uint64_t>* rotations_;       // shared with every forked process
    mutable std::atomic<std::uint64_t> seen_{0};  // rotations this process has applied
};

}  // namespace server
