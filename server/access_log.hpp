// AccessLog: one line per finished exchange, in Combined Log Format. Each line is built in a
// per-thread buffer and leaves in ONE write(2) on an O_APPEND descriptor, so threads and
// forked processes sharing the file never interleave partial lines.
// ExchangeLog is the http::ExchangeSink of one connection: it knows the peer address, writes
// the access-log line and counts the exchange into the shared Stats.
#pragma once

#include <string>
#include <string_view>

#include "connection.hpp"
#include "stats.hpp"
#include "unique_fd.hpp"

namespace server {

class AccessLog {
public:
    // "off" disables, "-" is stdout, anything else a path opened O_APPEND|O_CREAT (0640).
    // Throws std::system_error when the file cannot be opened.
    explicit AccessLog(const std::string& target);

    [[nodiscard]] bool enabled() const noexcept { return fd_ >= 0; }
    void write(std::string_view peer, const http::Exchange& e) const noexcept;

private:
    poly::UniqueFd owned_;
    int fd_ = -1;
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

// Formats one Combined Log Format line (with trailing newline) into out. Exposed for tests.
void format_combined(std::string& out, std::string_view peer, const http::Exchange& e);

}  // namespace server
