#include "http/connection.hpp"

#include <algorithm>

#include "http/proto/https_redirect.hpp"

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
    : sites_(sites), limits_(limits), sink_(sink), transport_(transport) {}

Connection::~Connection() {
    if (responding_) finish_exchange(false);
    give_back_exchange_state(std::move(ex_));
}

std::size_t Connection::held_bytes() const noexcept {
    std::size_t n = in_.capacity();
    if (ex_) n += sizeof(ExchangeState) + ex_->heap_bytes();
    return n;
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
        if (ex_ && ex_->parser.finish() == ParseEvent::error && !responding_) closing_ = true;
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
    fed_by_data_ = true;
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
    if (!ex_) ex_ = take_exchange_state(limits_.max_head_size, limits_.max_target_size);
    RequestParser& parser = ex_->parser;
    const ParseResult r = parser.feed(data, ex_->request);
    consume(r.consumed);
    if (in_body_ && parser.body_bytes() > limits_.max_discard_body) {
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
                respond_error(parser.error_status());
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
    Request& req = ex_->request;
    Response& res = ex_->response;
    ex_->request_start = std::chrono::steady_clock::now();
    res.reset();
    close_after_response_ = !req.keep_alive || shutting_down_;
    in_body_ = req.has_body;
    if (req.has_body) {
        // A body we will not read (too large, or the client waits for 100-continue that we
        // never send) leaves the framing in doubt: answer, then close.
        const bool too_large = !req.chunked && req.content_length > limits_.max_discard_body;
        if (too_large || req.expect_continue) stop_reading();
    }
    dispatch_method();
    if (res.close) close_after_response_ = true;
    queue_response();
}

void Connection::dispatch_method() {
    const Request& req = ex_->request;
    Response& res = ex_->response;
    ex_->site = nullptr;
    if (redirected_to_https()) return;
    switch (req.method) {
        case Method::get:
        case Method::head:
            if (!serve_endpoint(limits_.endpoint, req, res)) serve_site();
            return;
        case Method::options:
            if (req.target == "*") {  // the server itself: no site's business
                res.status = 204;
                res.allow = allowed_methods;
            } else {
                serve_site();  // a CORS preflight, or 204 with Allow
            }
            return;
        case Method::connect:
            // A tunnel request's bytes after the head are not HTTP: never parse them.
            res.close = true;
            closing_ = true;
            [[fallthrough]];
        default:
            res.allow = allowed_methods;
            make_error(res, 405);
            return;
    }
}

// The request's site (by Host) answers: redirects, files, fallback, error pages, header rules,
// CORS (http/site/site.hpp).
void Connection::serve_site() {
    const Request& req = ex_->request;
    ex_->site = &sites_.choose(req.host);
    ex_->site->handle(req, ex_->response,
                      CorsFields{req.origin, req.access_control_request_method});
}

// Before the method and the metrics endpoint, so that nothing is served over plain HTTP; a
// target that names no resource ("OPTIONS *", CONNECT) is answered as it would be anyway.
bool Connection::redirected_to_https() {
    if (transport_ != Transport::plain || !limits_.redirect_https) return false;
    return make_https_redirect(ex_->request, limits_.https_port, ex_->response) !=
           HttpsRedirect::not_a_resource;
}

void Connection::respond_error(int status) {
    Response& res = ex_->response;
    res.reset();
    res.close = true;
    make_error(res, status);
    stop_reading();
    if (ex_->request_start == std::chrono::steady_clock::time_point{})
        ex_->request_start = std::chrono::steady_clock::now();
    queue_response();
}

void Connection::complete_response() noexcept {
    finish_exchange(true);
    ++requests_served_;
    ex_->response.file.reset();  // do not hold the file open while idle
    ex_->response.cached.reset();
    ex_->stream.reset();
    if (close_after_response_) closing_ = true;
    parse_input();  // pipelined requests already buffered
    if (!responding_ && !in_body_ && !has_buffered_input()) go_idle();
}

// Between requests: give the exchange state back (it waits as a spare for the next busy
// connection of this thread) and the input buffer too when the transport feeds bytes with
// on_data(): a partial head that needed it is rare, so an idle connection keeps nothing.
// The blocking driver receives into read_space() for every request and keeps its buffer.
void Connection::go_idle() noexcept {
    if (ex_ && ex_->between_messages()) give_back_exchange_state(std::move(ex_));
    if (fed_by_data_ && in_begin_ == in_end_ && in_.capacity() != 0) {
        std::vector<std::byte>().swap(in_);  // `in_ = {}` would keep the capacity
        in_begin_ = in_end_ = 0;
    }
}

void Connection::finish_exchange(bool completed) noexcept {
    responding_ = false;
    if (sink_ == nullptr) return;
    const ExchangeState& x = *ex_;
    const Request& req = x.request;
    Exchange e;
    e.method = req.method_name;
    e.target = req.target;
    e.version_minor = req.version_minor;
    e.status = x.response.status;
    if (x.site != nullptr) e.site = x.site->name();
    // Body bytes that left inside the head's buffer count once the head's part is out.
    const std::uint64_t in_head = x.head_sent > x.head_only ? x.head_sent - x.head_only : 0;
    e.body_bytes = x.send_body ? in_head + x.body_sent : 0;
    e.referer = req.referer;
    e.user_agent = req.user_agent;
    e.duration = std::chrono::steady_clock::now() - x.request_start;
    e.completed = completed;
    sink_->exchange_done(e);
}

Want Connection::want() const noexcept {
    if (aborted_) return Want::close;
    if (responding_) return Want::write;
    if (closing_) return Want::close;
    if (peer_closed_) return Want::close;  // everything buffered has been answered
    if (shutting_down_ && !in_head() && !serve_first_) return Want::close;
    return Want::read;
}

Phase Connection::phase() const noexcept {
    if (responding_) return Phase::write;
    if (in_body_) return Phase::body;
    if (in_head() || requests_served_ == 0) return Phase::head;
    return Phase::idle;
}

void Connection::on_timeout() {
    if (responding_ || aborted_) {
        abort();
        return;
    }
    if (in_head() && ex_->parser.head_bytes() > 0) {
        respond_error(408);  // a slow head gets told why before the close
        return;
    }
    closing_ = true;
}

void Connection::shutdown() {
    shutting_down_ = true;
    if (responding_ || in_body_)
        close_after_response_ = true;
    else if (!in_head() && !serve_first_)
        closing_ = true;
}

void Connection::abort() noexcept {
    if (responding_) finish_exchange(false);
    aborted_ = true;
    if (!ex_) return;
    ex_->response.file.reset();
    ex_->stream.reset();
}

}  // namespace http
