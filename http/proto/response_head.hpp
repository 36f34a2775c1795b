// Serializes a Response's status line and header fields (RFC 9112 §4, RFC 9110 §6.6).
// Called by Connection on its own thread; appends to a caller-owned buffer so a warm
// connection reuses its capacity. Pure: the Date comes from the per-thread cache.
#pragma once

#include <cstdint>
#include <string>

#include "http/proto/response.hpp"

namespace http {

struct HeadOptions {
    bool close = false;              // "Connection: close"
    bool keep_alive_http10 = false;  // "Connection: keep-alive" for an HTTP/1.0 client
    // For a streamed body (Response::stream): "Transfer-Encoding: chunked" when set (HTTP/1.1);
    // otherwise no framing field at all and the caller sets `close` (HTTP/1.0 reads to close).
    bool chunked = false;
    // "Strict-Transport-Security: max-age=N" when N > 0: the caller sets it on TLS
    // connections only (RFC 6797 §8.1: a browser ignores it over plain HTTP anyway).
    std::uint64_t hsts_max_age = 0;
};

// True when the status forbids a body (1xx, 204, 304).
bool status_has_no_body(int status) noexcept;

void append_response_head(std::string& out, const Response& res, const HeadOptions& opt);

}  // namespace http
