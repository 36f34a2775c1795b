// The rules a static site's values follow (issue 16): header names and values, path globs,
// paths in the root, redirect sources and targets, CORS origins, host names, media ranges.
// Called by the --config reader when it loads the tables (config/file/toml_tables.cpp,
// toml_sites.cpp) and by the option checks (option_checks.cpp); pure, any thread, never blocking.
//
// Each check returns the problem as a phrase that quotes the value but names no key
// ("'Content-Length' is set by polyhttpd itself"), for the caller to prefix with the key; a
// quoted value shows control bytes escaped ("\r", "\x00"), so the message stays one line.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace config::rules {

using Result = std::optional<std::string>;

// The response header fields polyhttpd writes itself, which [[headers]] may not set (compared
// without case; "access-control-" stands for every CORS field). Why each is ours:
// - framing: content-length, transfer-encoding, connection, keep-alive, upgrade, trailer: a
//   second or a wrong value desynchronises the connection (response splitting);
// - representation: content-type (from the file's extension; a wrong one under nosniff breaks
//   the page), content-encoding and vary (the compressed variant chosen per request),
//   content-range and accept-ranges (ranges), etag and last-modified (the validators that
//   conditionals compare), allow (405 and OPTIONS);
// - the server's own: date, server, location (redirects), strict-transport-security (--hsts);
// - access-control-*: [cors] answers them per request, echoing only an allowed origin.
// nginx's add_header would send such a field a second time; here it is refused at load.
inline constexpr std::array<std::string_view, 19> owned_headers = {
    "content-length", "transfer-encoding",
    "connection",     "keep-alive",
    "upgrade",        "trailer",
    "content-type",   "content-encoding",
    "vary",           "content-range",
    "accept-ranges",  "etag",
    "last-modified",  "allow",
    "date",           "server",
    "location",       "strict-transport-security",
    "access-control-"};

// Control bytes written as escapes ("\r", "\n", "\t", "\x00"): a message stays one line.
std::string escaped(std::string_view text);
// The text as a message quotes it: escaped, very long text cut.
std::string shown(std::string_view text);

// RFC 9110's token (a header name, a method): one or more of letters, digits and
// !#$%&'*+-.^_`|~.
bool is_token(std::string_view text);

Result check_header_name(std::string_view name);    // a token polyhttpd does not own
Result check_header_value(std::string_view value);  // no control byte but tab; not empty
// "/assets/**" (any depth), "*.woff2" (a last segment), "/a/*/b" (one segment): starts with
// '/' (a path) or '*' (a last segment, then without '/'); "**" only as a whole segment; no
// ".." segment, no control byte.
Result check_glob(std::string_view glob);
// A file in the root, as a request path names it (fallback, error pages): starts with '/',
// no ".." segment, no NUL, CR or LF.
Result check_root_path(std::string_view path);
// [[redirect]]: from is a path (exact, or a prefix when it ends in '/'), no '?' or '#'; to is
// a path or an absolute http(s) URL, without space or control byte, and ends in '/' when
// from does (the rest of the path is appended to it).
Result check_redirect_from(std::string_view from);
Result check_redirect_to(std::string_view to, bool prefix);
// "scheme://host[:port]" with scheme http or https, or "*"; lower-cased in place, as
// browsers send an Origin.
Result normalize_origin(std::string& origin);
// A site's host name: "example.com", "*.example.com", "127.0.0.1" or "[::1]"; lower-cased in
// place. No port and no trailing dot (a request's Host is compared without them).
Result normalize_host(std::string& host);
// "type/subtype" or "type/*", lower case, no parameters.
Result check_media_range(std::string_view range);

}  // namespace config::rules

namespace config {

// What a reload changes in the tables and sites, one line each ("sites: 2 -> 3",
// "headers: 1 -> 2 rules", "site[1] (example.com) root: '/a' -> '/b'"); empty when nothing.
// Options of the top level are config::changes()'s.
std::vector<std::string> table_changes(const Config& running, const Config& fresh);

}  // namespace config
