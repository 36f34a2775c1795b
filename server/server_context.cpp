#include "server_context.hpp"

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

}  // namespace

Runtime::Runtime(const config::Config& c)
    : cfg(c),
      handler(static_config(c)),
      limits(connection_limits(c)),
      timeouts{c.header_timeout, c.keepalive_timeout, c.send_timeout} {}

}  // namespace server
