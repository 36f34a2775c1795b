#include "server/runtime/context.hpp"

#include <algorithm>

#include "server/runtime/site_tables.hpp"

namespace server {
namespace {

http::ConnectionLimits connection_limits(const config::Config& cfg) {
    http::ConnectionLimits l;
    l.max_head_size = cfg.max_head_size;
    l.max_target_size = cfg.max_target_size;
    // The redirect names the first TLS listener's port; validate() has refused
    // --redirect-https without one, or with port 0.
    l.redirect_https = cfg.redirect_https;
    if (const auto tls =
            cfg.tls_listen.empty() ? std::nullopt : config::parse_listen(cfg.tls_listen.front()))
        l.https_port = tls->port;
    l.hsts_max_age = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::seconds>(cfg.hsts).count());
    return l;
}

// The TLS context of a configuration (null without TLS): its certificate pairs, with the
// run's ticket keys so every worker and process resumes the others' sessions.
std::shared_ptr<const tls::TlsContext> tls_context(const config::Config& c) {
    if (!wants_tls(c)) return nullptr;
    return std::make_shared<const tls::TlsContext>(cert_key_files(c), tls::process_ticket_keys());
}

// A Runtime that also owns the endpoint its limits point at.
struct ServingRuntime final : Runtime {
    ServingRuntime(const config::Config& c, const MetricsSource& src)
        : Runtime(c), metrics(c.status_path, src) {
        if (!c.status_path.empty()) limits.endpoint = &metrics;
    }
    MetricsEndpoint metrics;
};

}  // namespace

Runtime::Runtime(const config::Config& c)
    : cfg(c),
      sites(site_table_config(c)),
      limits(connection_limits(c)),
      timeouts{c.header_timeout, c.keepalive_timeout, c.send_timeout},
      tls(tls_context(c)) {}

std::shared_ptr<const Runtime> make_runtime(const config::Config& cfg, const MetricsSource& src) {
    return std::make_shared<const ServingRuntime>(cfg, src);
}

bool wants_tls(const config::Config& cfg) noexcept {
    return !cfg.tls_listen.empty() || !cfg.tls_cert.empty() ||
           std::any_of(cfg.sites.begin(), cfg.sites.end(),
                       [](const config::Site& s) { return !s.config.tls_cert.empty(); });
}

std::vector<tls::CertKeyFiles> cert_key_files(const config::Config& cfg) {
    std::vector<tls::CertKeyFiles> pairs;
    const auto add = [&pairs](const config::Config& c) {
        for (std::size_t i = 0; i < c.tls_cert.size() && i < c.tls_key.size(); ++i) {
            const auto same = [&](const tls::CertKeyFiles& p) {
                return p.cert_file == c.tls_cert[i] && p.key_file == c.tls_key[i];
            };
            if (std::none_of(pairs.begin(), pairs.end(), same))
                pairs.push_back({c.tls_cert[i], c.tls_key[i]});
        }
    };
    add(cfg);
    // Each [[site]]'s certificate joins the SNI pairs after the top level's (whose first stays
    // the default); a site that sets none inherits the top level's, already there.
    for (const config::Site& site : cfg.sites) add(site.config);
    return pairs;
}

}  // namespace server
