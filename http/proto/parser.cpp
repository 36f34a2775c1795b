#include "http/proto/parser.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string_view>

#include "http/fields/host.hpp"
#include "http/fields/text.hpp"
#include "http/proto/target.hpp"

namespace http {
namespace {

const llhttp_settings_t& settings() {
    static const llhttp_settings_t s = [] {
        llhttp_settings_t v;
        llhttp_settings_init(&v);
        return v;
    }();
    return s;
}

RequestParser& self(llhttp_t* p) { return *static_cast<RequestParser*>(p->data); }

Method to_method(std::uint8_t m) {
    switch (m) {
        case HTTP_GET: return Method::get;
        case HTTP_HEAD: return Method::head;
        case HTTP_OPTIONS: return Method::options;
        case HTTP_POST: return Method::post;
        case HTTP_PUT: return Method::put;
        case HTTP_DELETE: return Method::delete_;
        case HTTP_PATCH: return Method::patch;
        case HTTP_TRACE: return Method::trace;
        case HTTP_CONNECT: return Method::connect;
        default: return Method::other_known;
    }
}

// Joins a repeated list header as RFC 9110 §5.3 allows; a singleton header keeps the last.
void store(std::string& slot, const std::string& value, bool list) {
    if (list && !slot.empty())
        slot.append(", ");
    else
        slot.clear();
    slot.append(value);
}

}  // namespace

RequestParser::RequestParser(std::size_t max_head_size, std::size_t max_target_size)
    : max_head_size_(max_head_size),
      max_target_size_(max_target_size),
      line_check_(max_target_size) {
    static const llhttp_settings_t callbacks = [] {
        llhttp_settings_t s = settings();
        s.on_message_begin = &RequestParser::on_message_begin;
        s.on_url = &RequestParser::on_url;
        s.on_header_field = &RequestParser::on_header_field;
        s.on_header_field_complete = &RequestParser::on_header_field_complete;
        s.on_header_value = &RequestParser::on_header_value;
        s.on_header_value_complete = &RequestParser::on_header_value_complete;
        s.on_headers_complete = &RequestParser::on_headers_complete;
        s.on_message_complete = &RequestParser::on_message_complete;
        return s;
    }();
    llhttp_init(&llhttp_, HTTP_REQUEST, &callbacks);
    llhttp_.data = this;
}

void RequestParser::reset() noexcept {
    llhttp_reset(&llhttp_);  // keeps the callbacks and `data`
    request_ = nullptr;
    checking_line_ = false;
    in_message_ = in_head_ = value_seen_ = false;
    head_bytes_ = 0;
    body_bytes_ = 0;
    field_.clear();
    value_.clear();
    chunk_begin_ = nullptr;
    last_before_chunk_ = '\n';
    pending_ = ParseEvent::need_more;
    error_status_ = 0;
    error_reason_ = "";
}

ParseResult RequestParser::feed(std::span<const std::byte> data, Request& request) {
    if (error_status_ != 0) return {ParseEvent::error, 0};
    request_ = &request;
    const char* begin = reinterpret_cast<const char*>(data.data());
    if (checking_line_) return check_line(begin, data.size());
    chunk_begin_ = begin;
    pending_ = ParseEvent::need_more;
    const bool head_before = in_head_;
    const bool body_before = in_message_ && !in_head_;
    const llhttp_errno_t err = execute(begin, data.size());

    ParseResult result{ParseEvent::need_more, data.size()};
    if (err == HPE_PAUSED || err == HPE_PAUSED_UPGRADE) {
        result.consumed = static_cast<std::size_t>(llhttp_get_error_pos(&llhttp_) - begin);
        result.event = pending_;
        // An Upgrade request is answered as a plain request: we never switch protocols.
        if (err == HPE_PAUSED_UPGRADE)
            llhttp_resume_after_upgrade(&llhttp_);
        else
            llhttp_resume(&llhttp_);
    } else if (err != HPE_OK) {
        if (err == HPE_INVALID_METHOD && error_status_ == 0)
            return start_line_check(begin, data.size(), head_before);
        if (error_status_ == 0) fail(map_llhttp_error(err), llhttp_get_error_reason(&llhttp_));
        return {ParseEvent::error, data.size()};
    }
    // Every byte after the head counts as body: chunk sizes, extensions and trailers too,
    // or an endless chunk extension would be read forever without reaching any limit.
    if (body_before) body_bytes_ += result.consumed;
    // The head limit covers every byte from the message start to the blank line.
    if (head_before || in_head_ || result.event == ParseEvent::head) head_bytes_ += result.consumed;
    if ((in_head_ || result.event == ParseEvent::head) && head_bytes_ > max_head_size_) {
        fail(431, "request head too large");
        return {ParseEvent::error, result.consumed};
    }
    for (std::size_t i = result.consumed; i > 0; --i) {
        if (!is_ows(begin[i - 1])) {
            last_before_chunk_ = begin[i - 1];
            break;
        }
    }
    return result;
}

llhttp_errno_t RequestParser::execute(const char* begin, std::size_t size) {
    llhttp_errno_t err = llhttp_execute(&llhttp_, begin, size);
    if (err == HPE_PAUSED_UPGRADE && pending_ == ParseEvent::need_more &&
        llhttp_get_error_pos(&llhttp_) == begin) {
        // After an Upgrade request's message llhttp stops, at the start of the next call,
        // since what follows would be another protocol. We never switch protocols, so it is
        // the next request: without this, a request pipelined behind it waited for more input.
        llhttp_resume_after_upgrade(&llhttp_);
        err = llhttp_execute(&llhttp_, begin, size);
    }
    return err;
}

ParseEvent RequestParser::finish() {
    // A head cut short, or a body shorter than its framing, cannot be answered.
    if (in_head_ || (in_message_ && request_ != nullptr && request_->has_body)) {
        fail(400, "connection closed mid-request");
        return ParseEvent::error;
    }
    return ParseEvent::need_more;
}

int RequestParser::fail(int status, const char* reason) noexcept {
    error_status_ = status;
    error_reason_ = reason;
    return HPE_USER;
}

int RequestParser::map_llhttp_error(llhttp_errno_t err) noexcept {
    return err == HPE_INVALID_VERSION ? 505 : 400;
}

// llhttp stopped inside the method, at `error pos`: the rest of the line decides 400 or 501.
// The bytes llhttp took before it (leading empty lines aside) were method characters.
ParseResult RequestParser::start_line_check(const char* begin, std::size_t size, bool head_before) {
    const char* pos = llhttp_get_error_pos(&llhttp_);
    const auto taken = static_cast<std::size_t>(pos - begin);
    const bool begun =
        head_before || std::any_of(begin, pos, [](char c) { return c != '\r' && c != '\n'; });
    checking_line_ = true;
    in_message_ = true;
    in_head_ = true;
    head_bytes_ = (head_before ? head_bytes_ : 0) + taken;
    line_check_.start(begun);
    ParseResult result = check_line(pos, size - taken);
    result.consumed += taken;
    return result;
}

ParseResult RequestParser::check_line(const char* begin, std::size_t size) {
    using Verdict = RequestLineCheck::Verdict;
    std::size_t used = 0;
    const Verdict verdict = line_check_.feed({begin, size}, used);
    head_bytes_ += used;
    switch (verdict) {
        case Verdict::more:
            // An endless method token is bounded like any head.
            if (head_bytes_ <= max_head_size_) return {ParseEvent::need_more, used};
            fail(431, "request head too large");
            break;
        case Verdict::bad: fail(400, "malformed request line"); break;
        case Verdict::unknown_method: fail(501, "method not implemented"); break;
        case Verdict::target_too_long: fail(414, "target too long"); break;
    }
    return {ParseEvent::error, used};
}

int RequestParser::on_message_begin(llhttp_t* p) {
    RequestParser& s = self(p);
    s.request_->clear();
    s.in_message_ = true;
    s.in_head_ = true;
    s.head_bytes_ = 0;
    s.body_bytes_ = 0;
    s.field_.clear();
    s.value_.clear();
    s.value_seen_ = false;
    return 0;
}

int RequestParser::on_url(llhttp_t* p, const char* at, std::size_t n) {
    RequestParser& s = self(p);
    if (s.request_->target.size() + n > s.max_target_size_) return s.fail(414, "target too long");
    s.request_->target.append(at, n);
    return 0;
}

int RequestParser::on_header_field(llhttp_t* p, const char* at, std::size_t n) {
    RequestParser& s = self(p);
    if (s.value_seen_) {  // a new header begins
        s.field_.clear();
        s.value_.clear();
        s.value_seen_ = false;
    }
    // Names we act on are short; a longer one is kept only as long as needed to not match.
    constexpr std::size_t keep = 32;
    for (std::size_t i = 0; i < n && s.field_.size() < keep; ++i)
        s.field_.push_back(static_cast<char>(std::tolower(static_cast<unsigned char>(at[i]))));
    return 0;
}

int RequestParser::on_header_field_complete(llhttp_t* p) {
    RequestParser& s = self(p);
    // llhttp 8.1 accepts ": value"; RFC 9110 requires a token (a smuggling vector otherwise).
    if (s.field_.empty()) return s.fail(400, "empty header name");
    return 0;
}

int RequestParser::on_header_value(llhttp_t* p, const char* at, std::size_t n) {
    RequestParser& s = self(p);
    // obs-fold: llhttp 8.1 hands the continuation line over as another value piece that
    // starts right after a line break, or, after an empty first line ("X:\r\n b"), as the
    // first piece, after the fold's whitespace. A value piece never follows LF and optional
    // whitespace otherwise. An empty value ("X:") arrives as one empty piece just after the
    // line's CRLF: that is no fold (a whitespace-only fold of it would still be empty).
    if (n == 0) return 0;
    const char* c = at;
    while (c > s.chunk_begin_ && is_ows(c[-1])) --c;
    const char before = c > s.chunk_begin_ ? c[-1] : s.last_before_chunk_;
    if (before == '\n') return s.fail(400, "obsolete line folding");
    if (s.value_.size() + n <= s.max_head_size_) s.value_.append(at, n);
    return 0;
}

int RequestParser::on_header_value_complete(llhttp_t* p) {
    RequestParser& s = self(p);
    s.store_header_value();
    s.value_seen_ = true;
    return 0;
}

void RequestParser::store_header_value() {
    while (!value_.empty() && (value_.back() == ' ' || value_.back() == '\t')) value_.pop_back();
    Request& r = *request_;
    const std::string_view f = field_;
    if (f == "host") {
        ++r.host_count;
        r.host = value_;
    } else if (f == "range")
        store(r.range, value_, false);
    else if (f == "if-none-match")
        store(r.if_none_match, value_, true);
    else if (f == "if-match")
        store(r.if_match, value_, true);
    else if (f == "if-modified-since")
        store(r.if_modified_since, value_, false);
    else if (f == "if-unmodified-since")
        store(r.if_unmodified_since, value_, false);
    else if (f == "if-range")
        store(r.if_range, value_, false);
    else if (f == "accept")
        store(r.accept, value_, true);
    else if (f == "accept-encoding")
        store(r.accept_encoding, value_, true);
    else if (f == "referer")
        store(r.referer, value_, false);
    else if (f == "user-agent")
        store(r.user_agent, value_, false);
    else if (f == "origin")
        store(r.origin, value_, false);
    else if (f == "access-control-request-method")
        store(r.access_control_request_method, value_, false);
    else if (f == "expect")
        r.expect_continue = r.expect_continue || iequals_lower(value_, "100-continue");
}

int RequestParser::on_headers_complete(llhttp_t* p) {
    RequestParser& s = self(p);
    Request& r = *s.request_;
    s.in_head_ = false;
    // llhttp reads "GET /" without a version as HTTP/0.9, which we do not speak: a request
    // line without its HTTP-version lacks the grammar (RFC 9112 §3), like lighttpd says.
    if (p->http_major == 0 && p->http_minor == 9)
        return s.fail(400, "request line without HTTP version");
    if (p->http_major != 1 || p->http_minor > 1) return s.fail(505, "unsupported HTTP version");
    r.method = to_method(p->method);
    r.method_name = llhttp_method_name(static_cast<llhttp_method_t>(p->method));
    r.version_minor = p->http_minor;
    r.keep_alive = llhttp_should_keep_alive(p) != 0;
    r.chunked = (p->flags & F_CHUNKED) != 0;
    r.content_length = (p->flags & F_CONTENT_LENGTH) != 0 ? p->content_length : 0;
    r.has_body = r.chunked || r.content_length > 0;
    // llhttp checks "Transfer-Encoding without final chunked" only after this callback
    // returns, i.e. after we have answered: check it here (RFC 9112 §6.3 item 4).
    if ((p->flags & F_TRANSFER_ENCODING) != 0 && !r.chunked)
        return s.fail(400, "Transfer-Encoding without final chunked");
    if (r.host_count > 1) return s.fail(400, "duplicate Host header");
    if (r.host_count == 0 && r.version_minor == 1) return s.fail(400, "missing Host header");
    // Empty too: RFC 9112 §3.2 allows that only for a target URI without an authority, and an
    // http URI always has one (RFC 9110 §4.2.1); nginx and lighttpd refuse it as well.
    if (r.host_count == 1 && !valid_host(r.host))
        return s.fail(400, r.host.empty() ? "empty Host header" : "invalid Host header");
    std::string_view authority;
    if (absolute_form_authority(r.target, authority)) {
        if (!valid_host(authority)) return s.fail(400, "invalid authority in the target");
        // RFC 9112 §3.2.2: a server must ignore Host when the target is absolute and use the
        // target's authority, for the site too (as nginx does).
        r.host.assign(authority);
    }
    if (r.target.empty()) return s.fail(400, "empty target");
    s.pending_ = ParseEvent::head;
    return HPE_PAUSED;
}

int RequestParser::on_message_complete(llhttp_t* p) {
    RequestParser& s = self(p);
    s.in_message_ = false;
    s.pending_ = ParseEvent::message_end;
    return HPE_PAUSED;
}

}  // namespace http
