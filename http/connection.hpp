// Connection: the per-connection HTTP/1.1 state machine, sans I/O (in the spirit of h11).
// The transport (a driver in server/) recv()s into read_space(), reports with on_read(),
// sends what next_output() describes and reports with on_written(), and asks want() what to
// wait for. One Connection is used by one thread at a time; nothing here blocks, logs or
// touches a socket. Pipelined requests are answered in order; a framing error produces its
// 4xx response and then want() == close. A streamed body (Response::stream: a large file
// compressed on the fly) is pulled piece by piece inside next_output(), which may then pread
// the file and compress a piece on the calling thread: the same thread that sendfile()s a
// file, so nothing new for the drivers, who only ever see bytes.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http/endpoint.hpp"
#include "http/exchange_state.hpp"
#include "http/proto/parser.hpp"
#include "http/proto/request.hpp"
#include "http/proto/response.hpp"
#include "http/site/site_table.hpp"

namespace http {

enum class Want : std::uint8_t { read, write, close };

// What carries the connection's bytes, as the driver knows from its listener: a plain
// connection may be redirected to HTTPS (ConnectionLimits::redirect_https); only a TLS one
// announces Strict-Transport-Security.
enum class Transport : std::uint8_t { plain, tls };

// Which deadline applies now (the driver owns the clock):
//   idle  - between requests on a kept-alive connection: keep-alive timeout
//   head  - a request head has started (or the connection is new): header timeout for the
//           whole head, measured from when this phase began
//   body  - discarding a request body: header timeout again, restarted on progress
//   write - output is pending: send timeout, restarted on progress
enum class Phase : std::uint8_t { idle, head, body, write };

// One piece of output. Exactly one of bytes / file is set. `tail`, only beside `bytes`, is a
// second span to send right behind them in the same call (writev/sendmsg): an in-memory body
// (a cached file or compressed variant, kept alive by the response) after the head, so it
// leaves without being copied into the head's buffer. A transport may also ignore `tail` and
// send `bytes` alone: the next call then starts with the tail's bytes. on_written() counts
// bytes of `bytes` first, then of `tail`. `more` says another piece follows after these, so
// the transport can cork (MSG_MORE) instead of sending a short segment.
struct Output {
    std::span<const std::byte> bytes;
    std::span<const std::byte> tail;
    int file_fd = -1;
    std::uint64_t file_offset = 0;
    std::uint64_t file_length = 0;
    bool more = false;
    [[nodiscard]] bool empty() const noexcept { return bytes.empty() && file_fd < 0; }
    [[nodiscard]] bool is_file() const noexcept { return file_fd >= 0; }
};

// What the access log needs about one finished exchange. Views are valid only during the
// ExchangeSink call.
struct Exchange {
    std::string_view method;
    std::string_view target;
    std::uint8_t version_minor = 1;
    int status = 0;
    std::uint64_t body_bytes = 0;  // body bytes actually sent
    std::string_view referer;
    std::string_view user_agent;
    std::string_view site;  // the site that answered ("default", or its first host)
    std::chrono::steady_clock::duration duration{};
    bool completed = true;  // false when the connection ended before the response was sent
};

class ExchangeSink {
public:
    virtual void exchange_done(const Exchange& e) noexcept = 0;

protected:
    ~ExchangeSink() = default;
};

struct ConnectionLimits {
    std::size_t max_head_size = 16 * 1024;
    std::size_t max_target_size = 8 * 1024;
    // A refused or unread request body up to this size is read and discarded to keep the
    // connection; anything larger (or unknown-length beyond it) closes the connection.
    std::size_t max_discard_body = 64 * 1024;
    // Parsing pauses while this much response output is queued (pipelining back-pressure).
    std::size_t max_queued_output = 256 * 1024;
    // Answers GET/HEAD for its path before the static handler (the metrics page); optional.
    const DynamicEndpoint* endpoint = nullptr;
    // --redirect-https: a plain connection answers every request that names a resource with
    // 308 to https://host[:https_port]/target (https_redirect.hpp), the endpoint's path too;
    // framing errors stay errors. Ignored on TLS connections.
    bool redirect_https = false;
    std::uint16_t https_port = 443;
    // --hsts: every response on a TLS connection carries Strict-Transport-Security with this
    // max-age (seconds); 0: none. Never sent on plain connections (RFC 6797 §8.1).
    std::uint64_t hsts_max_age = 0;
};

class Connection {
public:
    Connection(const SiteTable& sites, const ConnectionLimits& limits, ExchangeSink* sink = nullptr,
               Transport transport = Transport::plain);
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;
    ~Connection();

    // Space for the transport to receive into; never empty while want() == read.
    std::span<std::byte> read_space();
    // n bytes were received into read_space(); n == 0 means the peer closed its side.
    void on_read(std::size_t n);
    // Bytes the transport received into its own (e.g. per-thread) buffer. They are parsed in
    // place; only what cannot be parsed yet (a partial head, a pipelined request waiting its
    // turn) is copied in. So an idle connection of an event loop owns no input buffer at all.
    void on_data(std::span<const std::byte> data);
    // True when on_data() would have to copy: the connection already holds unparsed bytes.
    [[nodiscard]] bool has_buffered_input() const noexcept { return in_begin_ < in_end_; }

    // The next piece to send, or empty() when nothing is queued.
    Output next_output();
    // n bytes of the current piece left (for a file piece: via sendfile).
    void on_written(std::size_t n);

    [[nodiscard]] Want want() const noexcept;
    [[nodiscard]] Phase phase() const noexcept;

    // The deadline of the current phase passed. A partial head gets 408; otherwise the
    // connection just closes. Afterwards want() is write (408 pending) or close.
    void on_timeout();

    // Graceful shutdown: stop reading new requests. An idle connection closes at once; one
    // with a response in flight finishes it and then closes.
    void shutdown();
    // shutdown() for a process leaving a pool whose listeners stay open (a retired prefork
    // worker): a connection not answered yet was taken from the shared queue by this process
    // alone and would be lost, so its first request is still served (with Connection: close,
    // bounded by the header timeout). An idle keep-alive connection closes at once, as above.
    void retire() {
        serve_first_ = requests_served_ == 0;
        shutdown();
    }

    // The transport failed (reset, error): record the unfinished exchange and close.
    void abort() noexcept;

    [[nodiscard]] std::uint64_t requests_served() const noexcept { return requests_served_; }

    // True when the server decided to close while request bytes may still be in flight (an
    // error, a body it will not read): the transport should half-close and drain briefly
    // so its response is not destroyed by a reset.
    [[nodiscard]] bool wants_linger() const noexcept { return linger_ && !peer_closed_; }

    // False once the connection will close after the response under way (Connection: close,
    // an error, a shutdown): a transport need not keep a receive waiting for more input.
    [[nodiscard]] bool reads_after_response() const noexcept {
        return !close_after_response_ && !closing_ && !peer_closed_;
    }

    // Heap bytes this connection holds beyond its own size: the input buffer and, while a
    // request is read or answered, its exchange state. 0 for an idle connection fed through
    // on_data() (what an event loop does), which is what keeps 10,000 idle ones cheap.
    [[nodiscard]] std::size_t held_bytes() const noexcept;

private:
    void parse_input();
    bool parse_step();
    void consume(std::size_t n) noexcept;
    [[nodiscard]] std::span<const std::byte> pending() const noexcept;
    void on_head();
    void dispatch_method();
    void serve_site();
    [[nodiscard]] bool redirected_to_https();
    void respond_error(int status);
    void stop_reading() noexcept;
    void queue_response();
    void complete_response() noexcept;
    [[nodiscard]] Output stream_output();
    [[nodiscard]] bool body_sent() const noexcept;
    [[nodiscard]] bool in_memory(const BodyPiece& p) const noexcept;
    [[nodiscard]] std::string_view piece_bytes(const BodyPiece& p) const noexcept;
    void finish_exchange(bool completed) noexcept;
    [[nodiscard]] bool in_head() const noexcept { return ex_ && ex_->parser.in_head(); }
    void go_idle() noexcept;

    const SiteTable& sites_;
    ConnectionLimits limits_;
    ExchangeSink* sink_;
    // While a request is read or answered: parser, request, response, head, send position.
    // Null while idle (exchange_state.hpp), which is what keeps an idle connection small.
    std::unique_ptr<ExchangeState> ex_;

    // Input: bytes [in_begin_, in_end_) of in_ are received but not yet parsed.
    std::vector<std::byte> in_;
    std::size_t in_begin_ = 0;
    std::size_t in_end_ = 0;
    // While on_data() runs: the transport's bytes not yet parsed.
    std::span<const std::byte> external_;
    std::uint64_t requests_served_ = 0;

    Transport transport_;
    bool responding_ = false;  // a response is queued or in flight
    bool in_body_ = false;     // the parser is inside a request body being discarded
    bool close_after_response_ = false;
    bool closing_ = false;  // no more requests will be read
    bool peer_closed_ = false;
    bool aborted_ = false;
    bool shutting_down_ = false;
    bool serve_first_ = false;  // retire() before the first request: answer that one
    bool linger_ = false;
    bool fed_by_data_ = false;  // input comes through on_data(): in_ only holds leftovers
};

}  // namespace http
