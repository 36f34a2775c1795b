// AccessLog: one line per finished exchange, in Common, Combined (default) or JSON format.
// Each line is built in a per-thread buffer and leaves in ONE write(2) on an O_APPEND
// descriptor, so threads and forked processes sharing the file never interleave partial lines.
// reopen() (SIGUSR1) and reconfigure() (SIGHUP) run on the master's control thread while
// other threads write; see LogFile for how every process follows a rotation.
// A line that cannot be written (full disk, closed pipe) is dropped: serving never waits for,
// nor fails because of, the access log; the failure is reported in the error log, rate-limited.
// ExchangeLog is the http::ExchangeSink of one connection: it knows the peer address, writes
// the access-log line and counts the exchange into the shared Stats.
#pragma once

#include <atomic>
#include <optional>
#include <string>
#include <string_view>

#include "http/connection.hpp"
#include "server/obs/log_file.hpp"
#include "server/obs/log_throttle.hpp"
#include "server/obs/stats.hpp"

namespace server {

// common:   CLF plus the duration in microseconds (like Apache's %D) at the end
// combined: CLF, "referer" "user-agent", then the duration
// json:     one object per line, every field named (see docs/deploying.md)
// The names are config::access_log_formats (the option's choices), in this order.
enum class AccessLogFormat : std::uint8_t { common, combined, json };
std::optional<AccessLogFormat> parse_access_log_format(std::string_view name) noexcept;

class AccessLog {
public:
    // "off" disables, "-" is stdout, anything else a path opened O_APPEND|O_CREAT (0640).
    // Throws std::system_error when the file cannot be opened.
    explicit AccessLog(const std::string& target,
                       AccessLogFormat format = AccessLogFormat::combined);

    [[nodiscard]] bool enabled() const noexcept { return file_.fd() >= 0; }
    void write(std::string_view peer, const http::Exchange& e) const noexcept;

    // Control thread only. On error the previous destination stays in use.
    std::error_code reopen() { return file_.reopen(); }
    std::error_code reconfigure(const std::string& target, AccessLogFormat format);

private:
    void report_failure(int err) const noexcept;

    LogFile file_;
    std::atomic<AccessLogFormat> format_;
    SharedLogThrottle failure_log_{std::chrono::seconds(10)};  // one for every process
};

class ExchangeLog final : public http::ExchangeSink {
public:
    ExchangeLog(const AccessLog& log, Stats& stats, std::string_view peer) noexcept;
    void exchange_done(const http::Exchange& e) noexcept override;

private:
    const AccessLog& log_;
    Stats& stats_;
    char peer_[56];  // "[v6 address]:port" fits; no allocation per connection
    std::size_t peer_len_;
};

// Format one line (with trailing newline) into out. Exposed for tests.
void format_common(std::string& out, std::string_view peer, const http::Exchange& e);
void format_combined(std::string& out, std::string_view peer, const http::Exchange& e);
void format_json(std::string& out, std::string_view peer, const http::Exchange& e);

}  // namespace server
