// SiteConfig: everything one site serves by, in the http layers' own terms (they do not see
// config/). server/runtime translates config::Config (config/site.hpp's rules, error_pages,
// fallback and each [[site]] table) into these at startup and on reload; http::Site and
// http::SiteTable compile them once and then only read them. Plain data, no behaviour.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "http/static/static_handler.hpp"

namespace http {

// [[headers]]: `set` on responses whose path matches the glob `match` (glob.hpp). Values were
// checked when the configuration was loaded (no CR, LF, NUL; no name the server owns).
struct HeaderRule {
    std::string match;
    std::vector<std::pair<std::string, std::string>> set;  // name, value; in file order
};

// [[redirect]]: `from` an exact path, or a prefix ending in '/' whose rest is appended to `to`.
struct RedirectRule {
    std::string from;
    std::string to;         // a path ("/new/") or an absolute URL ("https://example.com/")
    unsigned status = 301;  // 301, 302, 307 or 308
};

// [cors]: off while origins is empty; "*" alone allows any origin.
struct CorsRule {
    std::vector<std::string> origins;
    std::vector<std::string> methods = {"GET", "HEAD"};
    std::vector<std::string> headers;  // Access-Control-Allow-Headers; empty: none sent
    std::chrono::seconds max_age{0};   // 0: no Access-Control-Max-Age
};

struct SiteConfig {
    StaticConfig files;
    std::vector<HeaderRule> headers;
    std::vector<RedirectRule> redirects;
    CorsRule cors;
    std::map<unsigned, std::string> error_pages;  // status -> path of a file in the root
    std::string fallback;                         // path served for a missing one; empty: off
    bool fallback_only_html = false;  // no fallback when the last segment has another extension
};

// The virtual hosts: each entry's names ("example.com", "*.example.com"), compared without
// case, port or trailing dot; a Host that matches none gets `default_site`, or 421 with
// strict_hosts.
struct SiteTableConfig {
    struct Entry {
        std::vector<std::string> hosts;
        SiteConfig config;
    };
    std::vector<Entry> sites;
    SiteConfig default_site;
    bool strict_hosts = false;
};

}  // namespace http
