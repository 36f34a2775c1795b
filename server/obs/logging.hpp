// Error-log set-up (spdlog). init_logging() runs once on the main thread at startup; after
// that spdlog's default logger is thread-safe and every layer but http/ logs through it.
//
// Lines leave through our own sink, one write(2) each and without any mutex: spdlog's stock
// sinks lock a mutex per line, and a child forked (fork/prefork models) while the control
// thread held it would deadlock on its first log line. The timestamp is computed without libc's
// tz lock for the same reason (utc_time.hpp).
//
// Under systemd (stderr is the stream named by $JOURNAL_STREAM) lines are written as
// "<N>message": journald takes N as the syslog priority and stamps the time itself, so there
// is no second timestamp. Otherwise: "2024-05-01T12:00:00.123Z [info] [pid] message".
#pragma once

#include <string>
#include <system_error>

namespace server {

// level: spdlog's names ("info", "warn", ...). error_log: "-" (stderr) or a file path.
// Throws std::system_error when the file cannot be opened.
void init_logging(const std::string& level, const std::string& error_log = "-");

// True when stderr is the journald stream systemd set up for this service ($JOURNAL_STREAM
// holds "device:inode" of it). Exposed for tests.
bool stderr_is_journal() noexcept;

// Control thread only (SIGUSR1 / SIGHUP). Errors leave the current destination in use.
std::error_code reopen_error_log();
std::error_code reconfigure_logging(const std::string& level, const std::string& error_log);

}  // namespace server
