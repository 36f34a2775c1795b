#include "http/proto/response_head.hpp"

#include "base/decimal.hpp"
#include "http/fields/http_date.hpp"

namespace http {
namespace {

void append_field(std::string& out, std::string_view name, std::string_view value) {
    out.append(name).append(": ").append(value).append("\r\n");
}

void append_validators(std::string& out, const Response& res) {
    if (res.last_modified >= 0) {
        char date[http_date_length];
        format_http_date(res.last_modified, date);
        append_field(out, "Last-Modified", {date, http_date_length});
    }
    if (!res.etag.empty()) append_field(out, "ETag", res.etag.view());
}

}  // namespace

bool status_has_no_body(int status) noexcept {
    return status < 200 || status == 204 || status == 304;
}

void append_response_head(std::string& out, const Response& res, const HeadOptions& opt) {
    out.append("HTTP/1.1 ");
    poly::append_decimal(out, static_cast<std::uint64_t>(res.status));
    out.append(" ").append(reason_phrase(res.status)).append("\r\n");
    out.append("Server: polyhttpd\r\nDate: ").append(current_http_date()).append("\r\n");
    if (!res.content_type.empty()) append_field(out, "Content-Type", res.content_type);
    // 204 and 304 carry no Content-Length (RFC 9110 §8.6); every other response does, so
    // the client never has to read until close, but a streamed one (its length is unknown
    // until the end): chunked, or for HTTP/1.0 nothing and the close ends it.
    const bool has_body = !status_has_no_body(res.status);
    if (has_body && res.stream) {
        if (opt.chunked) out.append("Transfer-Encoding: chunked\r\n");
    } else if (has_body) {
        out.append("Content-Length: ");
        poly::append_decimal(out, res.body_length());
        out.append("\r\n");
    }
    append_validators(out, res);
    if (res.accept_ranges) out.append("Accept-Ranges: bytes\r\n");
    if (!res.content_range.empty()) append_field(out, "Content-Range", res.content_range);
    if (!res.content_encoding.empty()) append_field(out, "Content-Encoding", res.content_encoding);
    if (res.vary_accept_encoding && res.vary_origin)
        out.append("Vary: Accept-Encoding, Origin\r\n");
    else if (res.vary_accept_encoding)
        out.append("Vary: Accept-Encoding\r\n");
    else if (res.vary_origin)
        out.append("Vary: Origin\r\n");
    if (!res.location.empty()) append_field(out, "Location", res.location);
    if (!res.allow.empty()) append_field(out, "Allow", res.allow);
    for (const auto& [name, value] : res.extra_headers) append_field(out, name, value);
    if (opt.hsts_max_age > 0) {
        out.append("Strict-Transport-Security: max-age=");
        poly::append_decimal(out, opt.hsts_max_age);
        out.append("\r\n");
    }
    if (opt.close)
        out.append("Connection: close\r\n");
    else if (opt.keep_alive_http10)
        out.append("Connection: keep-alive\r\n");
    out.append("\r\n");
}

}  // namespace http
