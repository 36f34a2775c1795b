// RequestParser: llhttp (strict mode) plus the checks llhttp 8.1 leaves to us: obs-fold, empty
// header names, Host presence, uniqueness and syntax (an absolute-form target's authority
// too), version 1.0/1.1 only, head and target limits, and 400 or 501 for an unknown method.
// Fed any split of the input, byte by byte included; it stops after each request head and
// after each message end so the Connection can answer in order. One parser per connection.
#pragma once

#include <llhttp.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "http/proto/request.hpp"
#include "http/proto/request_line.hpp"

namespace http {

enum class ParseEvent : std::uint8_t {
    need_more,    // every byte was consumed; feed more
    head,         // a request head is complete and `request` is filled
    message_end,  // the request (and its body, if any) has ended
    error,        // error_status() tells the response; the connection must close
};

struct ParseResult {
    ParseEvent event = ParseEvent::need_more;
    std::size_t consumed = 0;  // bytes of the fed span used; the rest must be fed again
};

class RequestParser {
public:
    RequestParser(std::size_t max_head_size, std::size_t max_target_size);
    RequestParser(const RequestParser&) = delete;
    RequestParser& operator=(const RequestParser&) = delete;

    // Parses into `request` (cleared at each message start). Body bytes are consumed and
    // dropped; body_bytes() counts them with their framing (chunk sizes, extensions,
    // trailers): what a limit on an unread body must bound is bytes on the wire.
    ParseResult feed(std::span<const std::byte> data, Request& request);

    // The peer closed: returns error when a message was cut short.
    ParseEvent finish();

    // Back to the state of a new parser (llhttp refuses input after a message that closes, an
    // error or CONNECT), so a spare exchange state can serve the next connection.
    void reset() noexcept;

    [[nodiscard]] int error_status() const noexcept { return error_status_; }
    [[nodiscard]] const char* error_reason() const noexcept { return error_reason_; }
    [[nodiscard]] bool in_message() const noexcept { return in_message_; }
    [[nodiscard]] bool in_head() const noexcept { return in_head_; }
    [[nodiscard]] std::uint64_t body_bytes() const noexcept { return body_bytes_; }
    [[nodiscard]] std::size_t head_bytes() const noexcept { return head_bytes_; }

private:
    static int on_message_begin(llhttp_t* p);
    static int on_url(llhttp_t* p, const char* at, std::size_t n);
    static int on_header_field(llhttp_t* p, const char* at, std::size_t n);
    static int on_header_field_complete(llhttp_t* p);
    static int on_header_value(llhttp_t* p, const char* at, std::size_t n);
    static int on_header_value_complete(llhttp_t* p);
    static int on_headers_complete(llhttp_t* p);
    static int on_message_complete(llhttp_t* p);

    llhttp_errno_t execute(const char* begin, std::size_t size);
    int fail(int status, const char* reason) noexcept;
    void store_header_value();
    static int map_llhttp_error(llhttp_errno_t err) noexcept;
    ParseResult start_line_check(const char* begin, std::size_t size, bool head_before);
    ParseResult check_line(const char* begin, std::size_t size);

    llhttp_t llhttp_{};
    Request* request_ = nullptr;
    std::size_t max_head_size_;
    std::size_t max_target_size_;
    RequestLineCheck line_check_;  // once llhttp refused the method: 400 or 501?
    bool checking_line_ = false;

    // Per-message state.
    bool in_message_ = false;
    bool in_head_ = false;
    std::size_t head_bytes_ = 0;
    std::uint64_t body_bytes_ = 0;
    std::string field_;        // current header name, lower-cased (names we keep are short)
    std::string value_;        // current header value
    bool value_seen_ = false;  // a value piece of the current header was already delivered

    // Where the current feed() chunk starts, and the last byte before it that is not SP or
    // HTAB (obs-fold detection looks back over whitespace, across chunks too).
    const char* chunk_begin_ = nullptr;
    char last_before_chunk_ = '\n';
    ParseEvent pending_ = ParseEvent::need_more;

    int error_status_ = 0;
    const char* error_reason_ = "";
};

}  // namespace http
