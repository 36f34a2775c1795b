// Session: what a driver talks to for one connection, whatever the connection speaks. On a
// plain listener it is the http::Connection itself; on a TLS listener a tls::TlsStream sits
// between the socket's bytes (ciphertext) and the Connection (plaintext). Either way the
// driver sees one seam, the Connection's own: receive into read_space() or hand over bytes
// with on_data(), send what next_output() describes, report with on_written(), and ask want()
// and phase(). So the blocking driver and every event loop serve HTTPS with no TLS code of
// their own. Used on the connection's thread only; nothing here blocks, logs or touches a
// socket (a TLS file body is read with pread, one record at a time).
//
// Under TLS, next_output() is always bytes (ciphertext), never a file: sendfile cannot
// encrypt. on_data() accepts everything it is given, as the Connection's does: ciphertext
// the stream cannot take yet (it stopped reading while a response is queued) waits here and
// has_buffered_input() says so, which pauses a driver that receives without being asked.
#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <vector>

#include "http/connection.hpp"
#include "server/obs/stats.hpp"
#include "server/tls/tls_context.hpp"
#include "server/tls/tls_stream.hpp"

namespace server {

class Session {
public:
    // Plain when `tls` is null; otherwise a TLS stream over `http` (which must outlive this),
    // counted in `counters`.
    Session(http::Connection& http, std::shared_ptr<const tls::TlsContext> tls,
            TlsCounters& counters);
    Session(const Session&) = delete;
    Session& operator=(const Session&) = delete;
    ~Session();

    [[nodiscard]] bool is_tls() const noexcept { return tls_ != nullptr; }

    // As http::Connection's (see there).
    std::span<std::byte> read_space();
    void on_read(std::size_t n);
    void on_data(std::span<const std::byte> data);
    [[nodiscard]] bool has_buffered_input() const noexcept {
        return tls_ ? !backlog_.empty() : http_.has_buffered_input();
    }
    http::Output next_output();
    void on_written(std::size_t n);

    [[nodiscard]] http::Want want() const noexcept { return tls_ ? tls_->want() : http_.want(); }
    [[nodiscard]] http::Phase phase() const noexcept {
        return tls_ ? tls_->phase() : http_.phase();
    }
    [[nodiscard]] bool wants_linger() const noexcept {
        return tls_ ? tls_->wants_linger() : http_.wants_linger();
    }
    // http::Connection::reads_after_response(); always true for TLS, whose records (a
    // close_notify, an alert) may still arrive.
    [[nodiscard]] bool reads_after_response() const noexcept {
        return tls_ || http_.reads_after_response();
    }
    void on_timeout();
    void shutdown();
    void retire();  // http::Connection::retire()
    void abort() noexcept;

    [[nodiscard]] std::uint64_t requests_served() const noexcept { return http_.requests_served(); }

private:
    void feed(std::span<const std::byte> data);
    void feed_backlog();

    http::Connection& http_;
    std::unique_ptr<tls::TlsStream> tls_;
    // TLS only: ciphertext received that the stream had no room for yet, and whether the
    // peer's end of input follows it.
    std::vector<std::byte> backlog_;
    bool eof_after_backlog_ = false;
};

}  // namespace server
