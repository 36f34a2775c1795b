#include "server/runtime/context.hpp"

namespace server {
namespace {

http::StaticConfig static_config(const config::Config& cfg) {
    http::StaticConfig s;
    s.root = cfg.root;
    s.index = cfg.index;
    s.autoindex = cfg.autoindex;
    s.hidden = cfg.hidden;
    return s;
}

http::ConnectionLimits connection_limits(const config::Config& cfg) {
    http::ConnectionLimits l;
    l.max_head_size = cfg.max_head_size;
    l.max_target_size = cfg.max_target_size;
    return l;
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
      handler(static_config(c)),
      limits(connection_limits(c)),
      timeouts{c.header_timeout, c.keepalive_timeout, c.send_timeout} {}

std::shared_ptr<const Runtime> make_runtime(const config::Config& cfg, const MetricsSource& src) {
    return std::make_shared<const ServingRuntime>(cfg, src);
}

}  // namespace server
