// Redirect rules ([[redirect]]): the first rule whose `from` matches the decoded, normalised
// path answers with its status and a Location. Called by Site::handle on any connection
// thread; pure (no I/O, no shared state), never blocks.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "http/proto/response.hpp"

namespace http {

// [[redirect]]: `from` an exact path, or a prefix ending in '/' whose rest is appended to `to`.
struct RedirectRule {
    std::string from;
    std::string to;         // a path ("/new/") or an absolute URL ("https://example.com/")
    unsigned status = 301;  // 301, 302, 307 or 308
};

// `path`: decoded and normalised (decode_target). `raw_target`: as received, for its query.
// True when a rule matched: `res` is then the redirect (status, Location, small HTML body).
// A prefix rule appends the rest of the path, percent-encoded (encode_path), to `to` (with a
// '/' between when `to` lacks one: "/old/" -> "/new" sends "/old/x" to "/new/x", as a user
// of nginx's rewrite expects), so no request can put CR, LF or a second leading '/'
// ("//evil.example", a protocol-relative open redirect) into the Location. The request's
// query is kept (after '&' when `to` has a query of its own).
bool apply_redirects(std::span<const RedirectRule> rules, std::string_view path,
                     std::string_view raw_target, Response& res);

}  // namespace http
