// RawClient: a deliberately dumb HTTP/1.1 client over one TCP connection to 127.0.0.1, for
// sending exact (often hostile) bytes and reading exact responses. Every wait is a poll()
// with a timeout, so no test can hang on a misbehaving server. Not thread-safe per object;
// many clients may run on many threads (it never touches Catch2: results are returned).
// Over TLS (ClientOptions::transport; by default the suite's $POLYHTTPD_TRANSPORT) the same
// calls carry the same bytes as plaintext through a TlsClient. The handshake is lazy, as TCP's
// send is: the first send() puts out the ClientHello and queues its bytes, and reads drive
// the handshake on; so a client that has only sent never waits for the server (a `loop`
// server busy with another connection), and one that sends nothing sends no ClientHello.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tls_client.hpp"

namespace itest {

using namespace std::chrono_literals;
inline constexpr std::chrono::milliseconds io_timeout = 5s;

struct HttpResponse {
    int status = 0;
    int version_minor = 1;
    std::string head;  // status line and header lines, raw, including the final CRLF CRLF
    std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
    std::string body;
    int interim = 0;  // 1xx responses skipped before this one

    // The first value of a header (name case-insensitive), "" when absent.
    [[nodiscard]] std::string get(std::string_view name) const;
    [[nodiscard]] bool has(std::string_view name) const;
    [[nodiscard]] std::size_t count(std::string_view name) const;
    // True when a comma-separated header (every occurrence) lists `token`, case-insensitive.
    [[nodiscard]] bool has_token(std::string_view name, std::string_view token) const;
    [[nodiscard]] std::size_t wire_size() const noexcept { return head.size() + body.size(); }
};

enum class ReadResult { ok, closed, timeout, malformed };
const char* to_string(ReadResult r) noexcept;

struct ClientOptions {
    int rcvbuf = 0;  // SO_RCVBUF before connect (0: system default), to make reads slow
    std::chrono::milliseconds connect_timeout = io_timeout;
    Transport transport = Transport::suite;  // a literal type: tests make these constexpr
};

constexpr ClientOptions over(Transport transport) {
    ClientOptions o;
    o.transport = transport;
    return o;
}

class RawClient {
public:
    // Throws std::runtime_error when the connection cannot be made in time.
    // `tls` applies when the transport is TLS.
    explicit RawClient(std::uint16_t port, ClientOptions opts = {}, const TlsOptions& tls = {});
    RawClient(const RawClient&) = delete;
    RawClient& operator=(const RawClient&) = delete;
    ~RawClient();

    // Sends all bytes (false if the peer reset or the send timed out).
    bool send(std::string_view bytes, std::chrono::milliseconds timeout = io_timeout);
    // Sends `bytes` in pieces of `chunk` bytes with `pause` between them (TCP_NODELAY is on);
    // over TLS, one record per piece, after completing the handshake.
    bool send_split(std::string_view bytes, std::size_t chunk, std::chrono::milliseconds pause);
    // Over TLS, sends close_notify first (completing the handshake if needed).
    void shutdown_write();
    // Over TLS: completes the handshake now (false, with error(), when it fails or times out),
    // for a test that must not leave it to the first read. Over TCP: true.
    bool handshake(std::chrono::milliseconds timeout = io_timeout);
    // The TLS session, for its version, ALPN, certificate and resumption; null over TCP.
    [[nodiscard]] const TlsClient* tls() const noexcept { return tls_.get(); }
    // Closes with SO_LINGER 0: the kernel sends RST instead of FIN (a client that crashed or
    // gave up). Nothing may be called afterwards.
    void reset();

    // Reads one final response (1xx skipped). `head_request`: the request was HEAD, so the
    // response has no body whatever its headers say. 204 and 304 never have one either.
    // `timeout` bounds each wait for more bytes. On failure the partial bytes stay in pending().
    ReadResult read_response(HttpResponse& out, bool head_request = false,
                             std::chrono::milliseconds timeout = io_timeout);
    // Reads only the head of the next final response; the body is left to read_exact().
    ReadResult read_head(HttpResponse& out, std::chrono::milliseconds timeout = io_timeout);
    // Appends exactly n raw bytes (buffered ones first) to out.
    ReadResult read_exact(std::string& out, std::size_t n,
                          std::chrono::milliseconds timeout = io_timeout);

    // Waits until the server closes (EOF or reset). Bytes that arrive meanwhile are kept in
    // pending(). False on timeout.
    bool wait_closed(std::chrono::milliseconds timeout = io_timeout);

    // Bytes received but not consumed by a read_* call.
    [[nodiscard]] const std::string& pending() const noexcept { return buf_; }
    [[nodiscard]] bool peer_closed() const noexcept { return closed_; }
    // What went wrong in the last failed call, for assertion messages.
    [[nodiscard]] const std::string& error() const noexcept { return error_; }

private:
    enum class Fill { data, closed, timeout };
    using Deadline = std::chrono::steady_clock::time_point;
    Fill fill(std::chrono::milliseconds timeout);
    Fill recv_raw(std::string& into, Deadline deadline);
    bool send_raw(std::string_view bytes, Deadline deadline);
    Fill tls_fill(Deadline deadline, bool until_handshake);
    bool advance_tls(Deadline deadline);
    bool flush_tls(bool handshaking, Deadline deadline);
    ReadResult parse_head(HttpResponse& out, std::size_t head_end);
    ReadResult body_length(const HttpResponse& out, bool head_request, std::size_t& len,
                           bool& until_close);
    ReadResult fail(ReadResult r, std::string what);

    int fd_ = -1;
    std::unique_ptr<TlsClient> tls_;
    std::chrono::milliseconds tls_pause_{0};
    std::size_t tls_chunk_ = 0;
    std::string queued_;  // plaintext sent before the handshake completed
    std::string buf_;
    bool closed_ = false;
    std::string error_;
};

// "METHOD TARGET HTTP/1.1\r\nHost: test\r\n" + extra_headers (each ending in CRLF) + "\r\n".
std::string make_request(std::string_view method, std::string_view target,
                         std::string_view extra_headers = "");
inline std::string get_request(std::string_view target, std::string_view extra_headers = "") {
    return make_request("GET", target, extra_headers);
}

}  // namespace itest
