// What a static site sets beyond its files (issue 16): header rules, redirects, CORS. The
// top level of the configuration holds the default site's; each [[site]] table (config.hpp's
// Site) holds its own, inheriting what it does not set. Filled from the --config file only
// (these are TOML tables); read-only once loaded, like the rest of Config.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace config {

// [[headers]]: response headers set on the responses whose path matches the glob. Rules
// apply in file order; a later rule's value for the same name replaces an earlier one.
//   match: "/assets/**" (any depth below), "*.woff2" (a last segment), "/a/*/b" (one segment)
struct HeaderRule {
    std::string match;
    std::vector<std::pair<std::string, std::string>> set;  // name, value; in file order

    friend bool operator==(const HeaderRule&, const HeaderRule&) = default;
};

// [[redirect]]: `from` is an exact path ("/old") or a prefix ending in '/' ("/blog/", whose
// rest is appended to `to`); the query string is kept. status: 301, 302, 307 or 308.
struct RedirectRule {
    std::string from;
    std::string to;
    unsigned status = 301;

    friend bool operator==(const RedirectRule&, const RedirectRule&) = default;
};

// [cors]: off while origins is empty. origins: exact origins ("https://app.example"), or "*"
// alone for any. Preflight OPTIONS requests are answered with methods and max_age.
struct CorsRule {
    std::vector<std::string> origins;
    std::vector<std::string> methods = {"GET", "HEAD"};
    std::vector<std::string> headers;  // Access-Control-Allow-Headers; empty: none
    std::chrono::seconds max_age{0};   // 0: no Access-Control-Max-Age

    [[nodiscard]] bool enabled() const noexcept { return !origins.empty(); }
    friend bool operator==(const CorsRule&, const CorsRule&) = default;
};

}  // namespace config
