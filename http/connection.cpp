#include "http/connection.hpp"

#include <algorithm>

#include "http/proto/https_redirect.hpp"
#include "http/proto/response_head.hpp"
#include "http/static/file_cache.hpp"

namespace http {
namespace {

constexpr std::size_t initial_buffer = 4096;
constexpr std::string_view allowed_methods = "GET, HEAD, OPTIONS";

// The generated resource, when the target's path (before any query) is exactly its path.
bool serve_endpoint(const DynamicEndpoint* ep, const Request& req, Response& res) {
    const std::string_view target = req.target;
    if (ep == nullptr || target.substr(0, target.find('?')) != ep->path()) return false;
    ep->render(res.text, res.content_type);
    res.pieces.push_back({BodyPiece::Kind::text, 0, res.text.size()});
    return true;
}

}  // namespace

Connection::Connection(const SiteTable& sites, const ConnectionLimits& limits, ExchangeSink* sink,
                       Transport transport)
    : sites_(sites),
      limits_(limits),
      sink_(sink),
      transport_(transport),
      parser_(limits.max_head_size, limits.max_target_size) {}

Connection::~Connection() {
    if (responding_) finish_exchange(false);
}

std::span<std::byte> Connection::read_space() {
    if (in_begin_ == in_end_) in_begin_ = in_end_ = 0;
    if (in_end_ == in_.size() && in_begin_ > 0) {
        // Compact: unparsed bytes move to the front (pipelined requests waiting their turn).
        std::copy(in_.begin() + static_cast<std::ptrdiff_t>(in_begin_),
                  in_.begin() + static_cast<std::ptrdiff_t>(in_end_), in_.begin());
        in_end_ -= in_begin_;
        in_begin_ = 0;
    }
    if (in_end_ == in_.size()) {
        // Grow geometrically; the parser enforces the head limit, so a buffer only grows
        // past it while pipelined requests queue behind a response, which is bounded by
        // want() not asking to read while responding.
        in_.resize(std::max(initial_buffer, in_.size() * 2));
    }
    return {in_.data() + in_end_, in_.size() - in_end_};
}

void Connection::on_read(std::size_t n) {
    if (n == 0) {
        peer_closed_ = true;
        // A head or body cut short by the peer cannot be answered; a complete request
        // followed by FIN still is.
        if (parser_.finish() == ParseEvent::error && !responding_) closing_ = true;
        parse_input();
        return;
    }
    in_end_ += n;
    parse_input();
}

void Connection::on_data(std::span<const std::byte> data) {
    if (data.empty()) {
        on_read(0);
        return;
    }
    if (has_buffered_input()) {  // keep order: append behind what is already waiting
        in_.resize(in_end_);
        in_.insert(in_.end(), data.begin(), data.end());
        in_end_ = in_.size();
        parse_input();
        return;
    }
    external_ = data;
    parse_input();
    if (!external_.empty()) {
        if (!closing_ && !aborted_) {
            in_.assign(external_.begin(), external_.end());
            in_begin_ = 0;
            in_end_ = in_.size();
        }
        external_ = {};
    }
}

void Connection::parse_input() {
    while (parse_step()) {
    }
}

std::span<const std::byte> Connection::pending() const noexcept {
    if (!external_.empty()) return external_;
    return {in_.data() + in_begin_, in_end_ - in_begin_};
}

void Connection::consume(std::size_t n) noexcept {
    if (!external_.empty())
        external_ = external_.subspan(n);
    else
        in_begin_ += n;
}

// Feeds buffered input to the parser once; returns whether to try again.
bool Connection::parse_step() {
    if (closing_ || aborted_) {
        in_begin_ = in_end_;  // nothing more is parsed: a body is never read as a request
        external_ = {};
        return false;
    }
    const std::span<const std::byte> data = pending();
    if (data.empty()) return false;
    if (responding_ && !in_body_) return false;  // the next request waits its turn
    const ParseResult r = parser_.feed(data, request_);
    consume(r.consumed);
    if (in_body_ && parser_.body_bytes() > limits_.max_discard_body) {
        // Checked whatever the event, so that how the body was split into reads does not
        // decide whether the connection survives it.
        stop_reading();
        return false;
    }
    switch (r.event) {
        case ParseEvent::need_more: return false;
        case ParseEvent::head: on_head(); return true;
        case ParseEvent::message_end: in_body_ = false; return true;
        case ParseEvent::error:
            if (responding_)
                stop_reading();
            else
                respond_error(parser_.error_status());
            return false;
    }
    return false;
}

// After the current response (if any), close: the bytes still coming (an unread body, a
// broken one) cannot be framed, so nothing more is parsed.
void Connection::stop_reading() noexcept {
    close_after_response_ = true;
    closing_ = true;
    linger_ = true;
    in_body_ = false;
}

void Connection::on_head() {
    request_start_ = std::chrono::steady_clock::now();
    response_.reset();
    close_after_response_ = !request_.keep_alive || shutting_down_;
    in_body_ = request_.has_body;
    if (request_.has_body) {
        // A body we will not read (too large, or the client waits for 100-continue that we
        // never send) leaves the framing in doubt: answer, then close.
        const bool too_large =
            !request_.chunked && request_.content_length > limits_.max_discard_body;
        if (too_large || request_.expect_continue) stop_reading();
    }
    dispatch_method();
    if (response_.close) close_after_response_ = true;
    queue_response();
}

void Connection::dispatch_method() {
    site_ = nullptr;
    if (redirected_to_https()) return;
    switch (request_.method) {
        case Method::get:
        case Method::head:
            if (!serve_endpoint(limits_.endpoint, request_, response_)) serve_site();
            return;
        case Method::options:
            if (request_.target == "*") {  // the server itself: no site's business
                response_.status = 204;
                response_.allow = allowed_methods;
            } else {
                serve_site();  // a CORS preflight, or 204 with Allow
            }
            return;
        case Method::connect:
            // A tunnel request's bytes after the head are not HTTP: never parse them.
            response_.close = true;
            closing_ = true;
            [[fallthrough]];
        default:
            response_.allow = allowed_methods;
            make_error(response_, 405);
            return;
    }
}

// The request's site (by Host) answers: redirects, files, fallback, error pages, header rules,
// CORS (http/site/site.hpp).
void Connection::serve_site() {
    site_ = &sites_.choose(request_.host);
    site_->handle(request_, response_,
                  CorsFields{request_.origin, request_.access_control_request_method});
}

// Before the method and the metrics endpoint, so that nothing is served over plain HTTP; a
// target that names no resource ("OPTIONS *", CONNECT) is answered as it would be anyway.
bool Connection::redirected_to_https() {
    if (transport_ != Transport::plain || !limits_.redirect_https) return false;
    return make_https_redirect(request_, limits_.https_port, response_) !=
           HttpsRedirect::not_a_resource;
}

void Connection::respond_error(int status) {
    response_.reset();
    response_.close = true;
    make_error(response_, status);
    stop_reading();
    if (request_start_ == std::chrono::steady_clock::time_point{})
        request_start_ = std::chrono::steady_clock::now();
    queue_response();
}

void Connection::queue_response() {
    head_.clear();
    HeadOptions opt;
    const bool streamed = response_.stream != nullptr;
    // An HTTP/1.0 client cannot read chunks: its streamed body ends with the connection.
    if (streamed && request_.version_minor == 0) close_after_response_ = true;
    opt.close = close_after_response_;
    opt.keep_alive_http10 = !opt.close && request_.version_minor == 0;
    opt.chunked = streamed && request_.version_minor != 0;
    if (transport_ == Transport::tls) opt.hsts_max_age = limits_.hsts_max_age;
    append_response_head(head_, response_, opt);
    send_body_ = request_.method != Method::head && !status_has_no_body(response_.status);
    if (streamed && send_body_) stream_.start(std::move(response_.stream), opt.chunked);
    response_.stream.reset();  // HEAD, 304: never read, so never compressed
    head_sent_ = 0;
    piece_ = 0;
    piece_sent_ = 0;
    body_sent_ = 0;
    // Leading in-memory pieces (error pages, listings, cached small files) ride in the
    // head's buffer so a small response leaves in one send.
    const auto& pieces = response_.pieces;
    head_only_ = head_.size();
    while (send_body_ && piece_ < pieces.size() && in_memory(pieces[piece_])) {
        head_.append(piece_bytes(pieces[piece_]));
        ++piece_;
    }
    if (!send_body_) piece_ = pieces.size();
    responding_ = true;
}

bool Connection::in_memory(const BodyPiece& p) const noexcept {
    return p.kind == BodyPiece::Kind::text || response_.cached != nullptr;
}

std::string_view Connection::piece_bytes(const BodyPiece& p) const noexcept {
    const std::string& src =
        p.kind == BodyPiece::Kind::text ? response_.text : response_.cached->body;
    return std::string_view(src).substr(p.offset, p.length);
}

Output Connection::next_output() {
    Output out;
    if (!responding_ || aborted_) return out;
    const auto& pieces = response_.pieces;
    if (head_sent_ < head_.size()) {
        out.bytes = std::as_bytes(std::span(head_)).subspan(head_sent_);
        out.more = piece_ < pieces.size() || stream_.active();
        return out;
    }
    if (stream_.active() && piece_ >= pieces.size()) return stream_output();
    if (piece_ < pieces.size()) {
        const BodyPiece& p = pieces[piece_];
        if (in_memory(p)) {
            const std::string_view bytes = piece_bytes(p).substr(piece_sent_);
            out.bytes = std::as_bytes(std::span(bytes.data(), bytes.size()));
        } else {
            out.file_fd = response_.file.get();
            out.file_offset = p.offset + piece_sent_;
            out.file_length = p.length - piece_sent_;
        }
        out.more = piece_ + 1 < pieces.size();
    }
    return out;
}

void Connection::on_written(std::size_t n) {
    if (!responding_) return;
    if (head_sent_ < head_.size()) {
        head_sent_ += n;
    } else if (piece_ < response_.pieces.size()) {
        piece_sent_ += n;
        body_sent_ += n;
        if (piece_sent_ >= response_.pieces[piece_].length) {
            ++piece_;
            piece_sent_ = 0;
        }
    } else if (stream_.active()) {
        stream_.consumed(n);
        body_sent_ += n;
    }
    if (body_sent()) complete_response();
}

bool Connection::body_sent() const noexcept {
    return head_sent_ >= head_.size() && piece_ >= response_.pieces.size() &&
           (!stream_.active() || stream_.finished());
}

// The next piece of a streamed body. If the stream fails (the file shrank or changed, the
// encoder failed), the connection closes after what was sent, as nginx does: a chunked body
// then visibly lacks its last chunk, and a compressed one its trailer, so no client takes a
// truncated body for the whole representation.
Output Connection::stream_output() {
    Output out;
    out.bytes = stream_.pending();
    if (stream_.failed()) {
        abort();
        return {};
    }
    out.more = !stream_.last_piece();
    return out;
}

void Connection::complete_response() noexcept {
    finish_exchange(true);
    ++requests_served_;
    response_.file.reset();  // do not hold the file open while idle
    response_.cached.reset();
    stream_.reset();
    if (close_after_response_) closing_ = true;
    parse_input();  // pipelined requests already buffered
}

void Connection::finish_exchange(bool completed) noexcept {
    responding_ = false;
    if (sink_ == nullptr) return;
    Exchange e;
    e.method = request_.method_name;
    e.target = request_.target;
    e.version_minor = request_.version_minor;
    e.status = response_.status;
    if (site_ != nullptr) e.site = site_->name();
    // Body bytes that left inside the head's buffer count once the head's part is out.
    const std::uint64_t in_head = head_sent_ > head_only_ ? head_sent_ - head_only_ : 0;
    e.body_bytes = send_body_ ? in_head + body_sent_ : 0;
    e.referer = request_.referer;
    e.user_agent = request_.user_agent;
    e.duration = std::chrono::steady_clock::now() - request_start_;
    e.completed = completed;
    sink_->exchange_done(e);
}

Want Connection::want() const noexcept {
    if (aborted_) return Want::close;
    if (responding_) return Want::write;
    if (closing_) return Want::close;
    if (peer_closed_) return Want::close;  // everything buffered has been answered
    if (shutting_down_ && !parser_.in_head() && !serve_first_) return Want::close;
    return Want::read;
}

Phase Connection::phase() const noexcept {
    if (responding_) return Phase::write;
    if (in_body_) return Phase::body;
    if (parser_.in_head() || requests_served_ == 0) return Phase::head;
    return Phase::idle;
}

void Connection::on_timeout() {
    if (responding_ || aborted_) {
        abort();
        return;
    }
    if (parser_.in_head() && parser_.head_bytes() > 0) {
        respond_error(408);  // a slow head gets told why before the close
        return;
    }
    closing_ = true;
}

void Connection::shutdown() {
    shutting_down_ = true;
    if (responding_ || in_body_)
        close_after_response_ = true;
    else if (!parser_.in_head() && !serve_first_)
        closing_ = true;
}

void Connection::abort() noexcept {
    if (responding_) finish_exchange(false);
    aborted_ = true;
    response_.file.reset();
    stream_.reset();
}

}  // namespace http
