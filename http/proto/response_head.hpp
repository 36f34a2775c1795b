// Serializes a Response's status line and header fields (RFC 9112 §4, RFC 9110 §6.6).
// Called by Connection on its own thread; appends to a caller-owned buffer so a warm
// connection reuses its capacity. Pure: the Date comes from the per-thread cache.
#pragma once

#include <string>

#include "http/proto/response.hpp"

namespace http {

struct HeadOptions {
    bool close = false;              // "Connection: close"
    bool keep_alive_http10 = false;  // "Connection: keep-alive" for an HTTP/1.0 client
};

// True when the status forbids a body (1xx, 204, 304).
bool status_has_no_body(int status) noexcept;

void append_response_head(std::string& out, const Response& res, const HeadOptions& opt);

}  // namespace http
