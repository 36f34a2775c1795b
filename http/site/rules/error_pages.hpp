// Error pages and the fallback: what a site serves after its static handler answered a GET or
// HEAD with an error. Called by Site::handle on any connection thread; each serves one more
// file through the same StaticHandler (it may block on the disk as the handler does) and
// never calls itself or the site again, so a missing or failing page cannot recurse.
#pragma once

#include <string_view>

#include "http/proto/request.hpp"
#include "http/proto/response.hpp"
#include "http/static/static_handler.hpp"

namespace http {

// With fallback_only_html, does `path` (decoded) look like a page rather than an asset? True
// when its last segment has no extension (a leading dot is no extension: ".env"), or ".html"
// or ".htm" (any case), as static-web-server's and Caddy's SPA recipes decide.
bool fallback_allowed(std::string_view path, bool only_html) noexcept;

// `res` is a 404 for `req`: serves `fallback_target` (an encoded path, e.g. "/index.html")
// for the same request, Range and conditionals included: the response is that file's own,
// so a 200, 206 or 304 of it is right (as nginx's try_files), keeping the 404's Vary
// (a "file.gz" without "file" varied by Accept-Encoding). True when `res` was replaced;
// when the fallback itself fails (missing, forbidden, 5xx) the original 404 stays, so a
// misconfigured fallback never turns a missing asset into a 403 or 500.
bool serve_fallback(const StaticHandler& files, std::string_view fallback_target,
                    const Request& req, Response& res);

// `res` is a 4xx or 5xx: replaces its body with the page at `page_target`, fetched as a plain
// GET or HEAD (no Range, no conditionals: they were about the requested file), keeping the
// original status and head fields (Allow, Content-Range of a 416, close). True when the page
// was served; when it is not a 200 the built-in body stays.
bool serve_error_page(const StaticHandler& files, std::string_view page_target, const Request& req,
                      Response& res);

}  // namespace http
