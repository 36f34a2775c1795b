#include "http/proto/response.hpp"

#include <array>

namespace http {

std::uint64_t Response::body_length() const noexcept {
    std::uint64_t total = 0;
    for (const BodyPiece& p : pieces) total += p.length;
    return total;
}

void Response::add_text(std::string_view bytes) {
    if (bytes.empty()) return;
    pieces.push_back({BodyPiece::Kind::text, text.size(), bytes.size()});
    text.append(bytes);
}

void Response::add_file_range(std::uint64_t offset, std::uint64_t length) {
    if (length == 0) return;
    pieces.push_back({BodyPiece::Kind::file, offset, length});
}

void Response::reset() noexcept {
    status = 200;
    content_type = {};
    content_encoding = {};
    allow = {};
    vary_accept_encoding = false;
    vary_origin = false;
    accept_ranges = false;
    close = false;
    last_modified = -1;
    etag = ETag{};
    location.clear();
    content_range.clear();
    text.clear();
    file.reset();
    cached.reset();
    pieces.clear();
    stream.reset();
    extra_headers.clear();
}

std::string_view reason_phrase(int status) noexcept {
    switch (status) {
        case 100: return "Continue";
        case 200: return "OK";
        case 204: return "No Content";
        case 206: return "Partial Content";
        case 301: return "Moved Permanently";
        case 302: return "Found";
        case 303: return "See Other";
        case 304: return "Not Modified";
        case 307: return "Temporary Redirect";
        case 308: return "Permanent Redirect";
        case 400: return "Bad Request";
        case 403: return "Forbidden";
        case 404: return "Not Found";
        case 405: return "Method Not Allowed";
        case 408: return "Request Timeout";
        case 410: return "Gone";
        case 411: return "Length Required";
        case 412: return "Precondition Failed";
        case 413: return "Content Too Large";
        case 414: return "URI Too Long";
        case 416: return "Range Not Satisfiable";
        case 417: return "Expectation Failed";
        case 421: return "Misdirected Request";
        case 429: return "Too Many Requests";
        case 431: return "Request Header Fields Too Large";
        case 500: return "Internal Server Error";
        case 501: return "Not Implemented";
        case 502: return "Bad Gateway";
        case 503: return "Service Unavailable";
        case 504: return "Gateway Timeout";
        case 505: return "HTTP Version Not Supported";
        default: return "Unknown";
    }
}

void make_error(Response& res, int status) {
    const bool close = res.close;
    const std::string_view allow = res.allow;
    res.reset();
    res.close = close;
    res.allow = allow;
    res.status = status;
    res.content_type = "text/html; charset=utf-8";
    // Built without a format library: the reason phrases are static and ASCII-safe.
    const std::string_view reason = reason_phrase(status);
    std::array<char, 3> code{static_cast<char>('0' + status / 100),
                             static_cast<char>('0' + status / 10 % 10),
                             static_cast<char>('0' + status % 10)};
    const std::string_view code_view(code.data(), code.size());
    res.text.reserve(160);
    res.text.append("<!DOCTYPE html>\n<html><head><title>").append(code_view).append(" ");
    res.text.append(reason).append("</title></head>\n<body><h1>").append(code_view).append(" ");
    res.text.append(reason).append("</h1><hr><p>polyhttpd</p></body></html>\n");
    res.pieces.push_back({BodyPiece::Kind::text, 0, res.text.size()});
}

}  // namespace http
