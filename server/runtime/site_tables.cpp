// The configuration's sites in the http layers' terms (http/site/site_config.hpp): the top
// level becomes the default site, each [[site]] table an entry of the table. Called where a
// Runtime is built (startup, reload); pure.
#include "server/runtime/site_tables.hpp"

#include "http/fields/accept_encoding.hpp"

namespace server {
namespace {

http::StaticConfig static_config(const config::Config& cfg) {
    http::StaticConfig s;
    s.root = cfg.root;
    s.index = cfg.index;
    s.autoindex = cfg.autoindex;
    s.hidden = cfg.hidden;
    for (const std::string& name : cfg.compress)
        if (const auto coding = http::coding_from_name(name)) s.compress.push_back(*coding);
    s.compress_types = cfg.compress_types;
    s.compress_min_size = cfg.compress_min_size;
    s.compress_max_size = cfg.compress_max_size;
    s.compress_cache = cfg.compress_cache;
    s.cache_valid_for = cfg.file_cache_valid;
    if (cfg.file_cache_valid.count() == 0) s.cache_max_file_size = 0;  // nothing kept at all
    return s;
}

http::SiteConfig site_config(const config::Config& cfg) {
    http::SiteConfig s;
    s.files = static_config(cfg);
    for (const config::HeaderRule& r : cfg.headers) s.headers.push_back({r.match, r.set});
    for (const config::RedirectRule& r : cfg.redirects)
        s.redirects.push_back({r.from, r.to, r.status});
    s.cors.origins = cfg.cors.origins;
    s.cors.methods = cfg.cors.methods;
    s.cors.headers = cfg.cors.headers;
    s.cors.max_age = cfg.cors.max_age;
    s.error_pages = cfg.error_pages;
    s.fallback = cfg.fallback;
    s.fallback_only_html = cfg.fallback_only_html;
    return s;
}

}  // namespace

http::SiteTableConfig site_table_config(const config::Config& cfg) {
    http::SiteTableConfig t;
    t.default_site = site_config(cfg);
    t.strict_hosts = cfg.strict_hosts;
    for (const config::Site& site : cfg.sites)
        t.sites.push_back({site.hosts, site_config(site.config)});
    return t;
}

}  // namespace server
