// Context: what every model receives from main(): the bound listener, the configuration, the
// shared static-file handler, the stop state, the access log, and the per-connection limits.
// Built once on the main thread; everything in it is read-only or thread-safe afterwards.
#pragma once

#include "access_log.hpp"
#include "config.hpp"
#include "connection.hpp"
#include "deadline.hpp"
#include "listener.hpp"
#include "shutdown.hpp"
#include "static_handler.hpp"

namespace server {

struct Context {
    Listener& listener;
    const config::Config& cfg;
    const http::StaticHandler& handler;
    Shutdown& shutdown;
    const AccessLog& access_log;
    http::ConnectionLimits limits;
    Timeouts timeouts;
};

}  // namespace server
