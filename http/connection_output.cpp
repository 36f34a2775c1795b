// http::Connection's output side: serializing the head, choosing what rides in the head's
// buffer, and handing the transport its next piece (connection.hpp has the contract).
#include <algorithm>

#include "http/connection.hpp"
#include "http/proto/response_head.hpp"
#include "http/static/file_cache.hpp"

namespace http {
namespace {

// In-memory body bytes copied behind the head, so a small response leaves in one send(). A
// larger in-memory body (a cached file, a compressed variant) is handed over as the second
// span of the head's Output instead: one sendmsg() of two iovecs, no copy. Below about this
// size the copy costs less than sendmsg's iovec import; above it the memmove dominates (it was
// 7 % of the profile serving a 20 KB compressed variant).
constexpr std::size_t max_copied_body = 2048;

}  // namespace

void Connection::queue_response() {
    ExchangeState& x = *ex_;
    Response& res = x.response;
    x.head.clear();
    HeadOptions opt;
    const bool streamed = res.stream != nullptr;
    const std::uint8_t minor = x.request.version_minor;
    // An HTTP/1.0 client cannot read chunks: its streamed body ends with the connection.
    if (streamed && minor == 0) close_after_response_ = true;
    opt.close = close_after_response_;
    opt.keep_alive_http10 = !opt.close && minor == 0;
    opt.chunked = streamed && minor != 0;
    if (transport_ == Transport::tls) opt.hsts_max_age = limits_.hsts_max_age;
    append_response_head(x.head, res, opt);
    x.send_body = x.request.method != Method::head && !status_has_no_body(res.status);
    if (streamed && x.send_body) x.stream.start(std::move(res.stream), opt.chunked);
    res.stream.reset();  // HEAD, 304: never read, so never compressed
    x.head_sent = 0;
    x.piece = 0;
    x.piece_sent = 0;
    x.body_sent = 0;
    // Leading small in-memory pieces (error pages, listings' parts, small cached files) ride
    // in the head's buffer so a small response leaves in one send.
    const auto& pieces = res.pieces;
    x.head_only = x.head.size();
    std::size_t copied = 0;
    while (x.send_body && x.piece < pieces.size() && in_memory(pieces[x.piece]) &&
           copied + pieces[x.piece].length <= max_copied_body) {
        x.head.append(piece_bytes(pieces[x.piece]));
        copied += pieces[x.piece].length;
        ++x.piece;
    }
    if (!x.send_body) x.piece = pieces.size();
    responding_ = true;
}

bool Connection::in_memory(const BodyPiece& p) const noexcept {
    return p.kind == BodyPiece::Kind::text || cached_body(ex_->response) != nullptr;
}

std::string_view Connection::piece_bytes(const BodyPiece& p) const noexcept {
    const Response& res = ex_->response;
    const std::string& src = p.kind == BodyPiece::Kind::text ? res.text : *cached_body(res);
    return std::string_view(src).substr(p.offset, p.length);
}

Output Connection::next_output() {
    Output out;
    if (!responding_ || aborted_) return out;
    const ExchangeState& x = *ex_;
    const auto& pieces = x.response.pieces;
    std::size_t next = x.piece;  // the first piece after what `out` holds
    if (x.head_sent < x.head.size()) {
        out.bytes = std::as_bytes(std::span(x.head)).subspan(x.head_sent);
        if (next < pieces.size() && in_memory(pieces[next])) {  // piece_sent is 0 here
            const std::string_view body = piece_bytes(pieces[next++]);
            out.tail = std::as_bytes(std::span(body.data(), body.size()));
        }
        out.more = next < pieces.size() || x.stream.active();
        return out;
    }
    if (x.stream.active() && next >= pieces.size()) return stream_output();
    if (next < pieces.size()) {
        const BodyPiece& p = pieces[next];
        if (in_memory(p)) {
            const std::string_view bytes = piece_bytes(p).substr(x.piece_sent);
            out.bytes = std::as_bytes(std::span(bytes.data(), bytes.size()));
        } else {
            out.file_fd = file_descriptor(x.response);
            out.file_offset = p.offset + x.piece_sent;
            out.file_length = p.length - x.piece_sent;
        }
        out.more = next + 1 < pieces.size() || x.stream.active();
    }
    return out;
}

void Connection::on_written(std::size_t n) {
    if (!responding_) return;
    ExchangeState& x = *ex_;
    if (x.head_sent < x.head.size()) {
        const std::size_t k = std::min(n, x.head.size() - x.head_sent);
        x.head_sent += k;
        n -= k;  // what is left went out of the tail: the next piece's bytes
    }
    const auto& pieces = x.response.pieces;
    if (n > 0 && x.piece < pieces.size()) {
        x.piece_sent += n;
        x.body_sent += n;
        if (x.piece_sent >= pieces[x.piece].length) {
            ++x.piece;
            x.piece_sent = 0;
        }
    } else if (n > 0 && x.stream.active()) {
        x.stream.consumed(n);
        x.body_sent += n;
    }
    if (body_sent()) complete_response();
}

bool Connection::body_sent() const noexcept {
    const ExchangeState& x = *ex_;
    return x.head_sent >= x.head.size() && x.piece >= x.response.pieces.size() &&
           (!x.stream.active() || x.stream.finished());
}

// The next piece of a streamed body. If the stream fails (the file shrank or changed, the
// encoder failed), the connection closes after what was sent, as nginx does: a chunked body
// then visibly lacks its last chunk, and a compressed one its trailer, so no client takes a
// truncated body for the whole representation.
Output Connection::stream_output() {
    Output out;
    out.bytes = ex_->stream.pending();
    if (ex_->stream.failed()) {
        abort();
        return {};
    }
    out.more = !ex_->stream.last_piece();
    return out;
}

}  // namespace http
