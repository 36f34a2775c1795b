#include "http/site/rules/error_pages.hpp"

#include <utility>

#include "http/fields/text.hpp"

namespace http {
namespace {

// The second response is built in per-thread storage: an SPA's every route goes through the
// fallback, and a warm thread should not allocate for it.
Response& scratch_response() {
    thread_local Response page;
    page.reset();
    return page;
}

Request& scratch_request() {
    thread_local Request sub;
    return sub;
}

}  // namespace

bool fallback_allowed(std::string_view path, bool only_html) noexcept {
    if (!only_html) return true;
    const std::string_view last = path.substr(path.rfind('/') + 1);  // npos + 1 == 0
    const std::size_t dot = last.rfind('.');
    if (dot == std::string_view::npos || dot == 0) return true;
    const std::string_view ext = last.substr(dot);
    return iequals_lower(ext, ".html") || iequals_lower(ext, ".htm");
}

bool serve_fallback(const StaticHandler& files, std::string_view fallback_target,
                    const Request& req, Response& res) {
    Request& sub = scratch_request();
    sub = req;  // assignment keeps the thread's buffers
    sub.target.assign(fallback_target);
    Response& page = scratch_response();
    files.handle(sub, page);
    // 412 and 416 answer this request's own preconditions and Range against the fallback.
    const bool usable = page.status < 400 || page.status == 412 || page.status == 416;
    if (!usable) {
        page.reset();
        return false;
    }
    const bool close = res.close;
    // A 404 that varied (a "file.gz" only for gzip clients) still varies once it is the
    // fallback: another client would get another response.
    const bool vary = res.vary_accept_encoding;
    std::swap(res, page);
    res.close = res.close || close;
    res.vary_accept_encoding = res.vary_accept_encoding || vary;
    page.reset();  // the 404's storage, and no descriptor held until the thread's next use
    return true;
}

bool serve_error_page(const StaticHandler& files, std::string_view page_target, const Request& req,
                      Response& res) {
    Request& sub = scratch_request();
    sub.clear();
    sub.method = req.method;
    sub.method_name = req.method_name;
    sub.version_minor = req.version_minor;
    sub.target.assign(page_target);
    sub.host = req.host;
    sub.accept_encoding = req.accept_encoding;  // a precompressed 404.html.gz may be sent
    Response& page = scratch_response();
    files.handle(sub, page);
    if (page.status != 200) {
        page.reset();
        return false;
    }
    // The body of the page under the head of the error: its status, Allow, Content-Range and
    // close stay; the page's validators do not describe an error response and are not sent.
    res.content_type = page.content_type;
    res.content_encoding = page.content_encoding;
    res.vary_accept_encoding = res.vary_accept_encoding || page.vary_accept_encoding;
    res.text.swap(page.text);
    res.pieces.swap(page.pieces);
    res.file = std::move(page.file);
    res.cached = std::move(page.cached);
    res.stream = std::move(page.stream);  // a large page compressed while it is sent
    page.reset();
    return true;
}

}  // namespace http
