// AccessLog: one line per finished exchange, in Combined Log Format. Each line is built in a
// per-thread buffer and leaves in ONE write(2) on an O_APPEND descriptor, so threads and
// forked processes sharing the file never interleave partial lines.
// PeerLog adapts it to http::ExchangeSink for one connection (it knows the peer address).
#pragma once

#include <string>
#include <string_view>

#include "connection.hpp"
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

class PeerLog final : public http::ExchangeSink {
public:
    PeerLog(const AccessLog& log, std::string_view peer) : log_(log), peer_(peer) {}
    void exchange_done(const http::Exchange& e) noexcept override { log_.write(peer_, e); }

private:
    const AccessLog& log_;
    std::string peer_;
};

// Formats one Combined Log Format line (with trailing newline) into out. Exposed for tests.
void format_combined(std::string& out, std::string_view peer, const http::Exchange& e);

}  // namespace server
