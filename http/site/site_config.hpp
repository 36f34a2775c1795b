// SiteConfig: everything one site serves by, in the http layers' own terms (they do not see
// config/). server/runtime translates config::Config (config/site.hpp's rules, error_pages,
// fallback and each [[site]] table) into these at startup and on reload; http::Site and
// http::SiteTable compile them once and then only read them. Plain data, no behaviour.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "http/site/rules/cors.hpp"
#include "http/site/rules/header_rules.hpp"
#include "http/site/rules/redirect.hpp"
#include "http/static/static_handler.hpp"

namespace http {

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
