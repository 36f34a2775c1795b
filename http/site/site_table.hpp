// SiteTable: the virtual hosts. Built at startup or on reload from SiteTableConfig (throws
// std::system_error when a site's root cannot be opened); choose() is const and thread-safe,
// called once per request by the connection, no allocation, never blocks. Sites live as long
// as the table and never move, so a chosen Site& stays valid while the table does.
#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include "http/site/host_table.hpp"
#include "http/site/site.hpp"
#include "http/site/site_config.hpp"

namespace http {

class SiteTable {
public:
    explicit SiteTable(const SiteTableConfig& cfg);
    // One default site serving `files` with no rules (tests, tools).
    explicit SiteTable(const StaticConfig& files) : SiteTable(only(files)) {}

    // The site for a Host field value ("Example.com:8080", case, port and trailing dot
    // ignored): exact names first, then the longest wildcard. No Host (HTTP/1.0): the default
    // site. Unknown: the default site, or with strict_hosts a site answering 421 Misdirected
    // Request (named "unknown" in the access log), as nginx users get from a default server
    // that returns 421.
    [[nodiscard]] const Site& choose(std::string_view host) const noexcept;

    [[nodiscard]] const Site& default_site() const noexcept { return *default_; }
    [[nodiscard]] std::size_t size() const noexcept { return sites_.size(); }

private:
    static SiteTableConfig only(const StaticConfig& files) {
        SiteTableConfig cfg;
        cfg.default_site.files = files;
        return cfg;
    }

    std::shared_ptr<VariantCache> variants_;    // shared by every site below
    std::vector<std::unique_ptr<Site>> sites_;  // in configuration order
    std::unique_ptr<Site> default_;
    std::unique_ptr<Site> misdirected_;  // null without strict_hosts
    HostTable hosts_;
};

}  // namespace http
