#include "http/site/site_table.hpp"

#include <string>

namespace http {

SiteTable::SiteTable(const SiteTableConfig& cfg)
    : default_(std::make_unique<Site>("default", cfg.default_site)) {
    sites_.reserve(cfg.sites.size());
    for (const SiteTableConfig::Entry& e : cfg.sites) {
        std::string name = e.hosts.empty() ? std::string("site") : e.hosts.front();
        sites_.push_back(std::make_unique<Site>(std::move(name), e.config));
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
