#include "http/site/site_table.hpp"

#include <string>

#include "http/static/variant_cache.hpp"

namespace http {

// One compressed-variant cache for every site: compress-cache is a server-wide key (no
// [[site]] sets it), and the memory it bounds is the process's.
SiteTable::SiteTable(const SiteTableConfig& cfg)
    : variants_(std::make_shared<VariantCache>(cfg.default_site.files.compress_cache)),
      default_(std::make_unique<Site>("default", cfg.default_site, variants_)) {
    sites_.reserve(cfg.sites.size());
    for (const SiteTableConfig::Entry& e : cfg.sites) {
        std::string name = e.hosts.empty() ? std::string("site") : e.hosts.front();
        sites_.push_back(std::make_unique<Site>(std::move(name), e.config, variants_));
        for (const std::string& host : e.hosts) hosts_.add(host, sites_.size() - 1);
    }
    if (cfg.strict_hosts) misdirected_ = Site::refusing("unknown", 421);
}

const Site& SiteTable::choose(std::string_view host) const noexcept {
    if (host.empty()) return *default_;
    const std::size_t i = hosts_.find(host);
    if (i != HostTable::npos) return *sites_[i];
    return misdirected_ ? *misdirected_ : *default_;
}

}  // namespace http
