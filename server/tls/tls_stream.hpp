// TlsStream: one TLS connection as a sans-I/O filter. The transport side speaks ciphertext,
// in the same shape as http::Connection's seam; the application side is an http::Connection,
// fed the plaintext and drained of its output, which is encrypted here. A file range the
// connection would sendfile is read with pread into one 16 KiB buffer (one TLS record), never
// whole. Driven by one thread at a time, like the Connection it wraps; nothing here blocks
// (a pread of a file range aside), logs, throws on the I/O path or touches a socket.
//
// The driver's loop, as with a Connection:
//   want() == read:  recv() into cipher_in_space(), report with on_cipher_in(n) (0: EOF)
//   want() == write: send() cipher_out(), report with on_cipher_sent(n)
//   want() == close: (lingering first if wants_linger()) close the socket
// phase() names the deadline that runs: the handshake counts as the head of the first request,
// so the header timeout bounds the handshake and the first head together; on_timeout() when
// it passes. A connection that closes normally sends close_notify first; one that fails
// (garbage, a failed handshake, a bad or truncated record) sends at most OpenSSL's alert.
// A plain-HTTP request on the TLS port gets a short plaintext 400 saying so, then the close.
//
// Memory: while idle between requests the stream holds no buffer of its own (the BIO pair and
// the plaintext buffer are freed, OpenSSL frees its records with SSL_MODE_RELEASE_BUFFERS);
// while busy, at most 4 KiB of ciphertext in, 17 KiB out and 16 KiB of plaintext, plus
// OpenSSL's record buffers.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>

#include "http/connection.hpp"
#include "server/obs/stats.hpp"
#include "server/tls/openssl_ptr.hpp"
#include "server/tls/spare_buffers.hpp"
#include "server/tls/tls_context.hpp"

namespace server::tls {

class TlsStream {
public:
    // `conn` must outlive the stream. Never throws but std::bad_alloc; if OpenSSL cannot
    // allocate the connection, want() is close from the start.
    TlsStream(std::shared_ptr<const TlsContext> ctx, http::Connection& conn, TlsCounters& counters);
    TlsStream(const TlsStream&) = delete;
    TlsStream& operator=(const TlsStream&) = delete;
    ~TlsStream();

    // Space to recv() ciphertext into; non-empty while want() == read.
    std::span<std::byte> cipher_in_space();
    // n bytes arrived in cipher_in_space(); 0: the peer closed its side.
    void on_cipher_in(std::size_t n);
    // Ciphertext to send; empty when none is pending.
    std::span<const std::byte> cipher_out();
    // n bytes of cipher_out() were sent.
    void on_cipher_sent(std::size_t n);

    [[nodiscard]] http::Want want() const noexcept;
    [[nodiscard]] http::Phase phase() const noexcept;
    [[nodiscard]] bool handshake_done() const noexcept { return handshook_; }
    // Whether the session was resumed (valid once handshake_done()).
    [[nodiscard]] bool resumed() const noexcept;
    // True when the close should linger (see http::Connection::wants_linger), e.g. after the
    // plain-HTTP answer, so unread request bytes do not turn it into a reset.
    [[nodiscard]] bool wants_linger() const noexcept;

    // The deadline of phase() passed: a handshake fails (counted); otherwise as the
    // Connection's on_timeout (a 408 may still go out, encrypted).
    void on_timeout();
    // Graceful stop: a handshake in progress is dropped, an exchange in flight finishes.
    void shutdown();
    // http::Connection::retire() through the stream: a handshake in progress completes, and
    // the first request after it is answered.
    void retire();
    // The transport failed: close without further output.
    void abort() noexcept;

    // Bytes of buffer this stream holds right now (its BIO pair and plaintext buffer; not
    // OpenSSL's own record buffers), for tests and metrics.
    [[nodiscard]] std::size_t buffer_bytes() const noexcept;

private:
    // closing: close_notify is queued but did not fit in the pair yet.
    enum class State : std::uint8_t { handshake, open, closing, done };

    void pump();
    bool step_handshake();
    bool read_plaintext();
    bool write_plaintext();
    bool fill_plaintext();
    void finish_handshake() noexcept;
    void fail(bool handshake_failure) noexcept;
    void send_close_notify() noexcept;
    bool ensure_bios() noexcept;
    BioPair detach_bios() noexcept;
    void release_if_idle() noexcept;
    [[nodiscard]] std::size_t pending_out() const noexcept;

    std::shared_ptr<const TlsContext> ctx_;
    http::Connection& conn_;
    TlsCounters& counters_;
    SslPtr ssl_;
    BioPtr net_;  // the transport's end of the BIO pair; the other end belongs to ssl_
    std::unique_ptr<std::byte[]> plain_;  // plaintext to encrypt: one record's worth
    std::size_t plain_len_ = 0;
    std::size_t plain_http_sent_ = 0;
    State state_ = State::handshake;
    bool handshook_ = false;
    bool seen_bytes_ = false;
    bool peer_eof_ = false;
    bool plain_http_ = false;
};

}  // namespace server::tls
