// ConnState: what an event-loop model keeps for every connection, whatever drives it (the
// reactor, the coroutine loop, the io_uring loop): the socket, the Runtime snapshot the
// connection started under (a reload never changes the rules under a request in flight), its
// place in the statistics and the access log, the HTTP state machine and its deadline.
// Used on the owning loop's thread only. Members are in dependency order: http uses runtime
// and log; a driver's own members (derived) are destroyed before the socket closes.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>

#include "server/obs/access_log.hpp"
#include "http/connection.hpp"
#include "server/conn/deadline.hpp"
#include "server/runtime/context.hpp"
#include "server/obs/stats.hpp"
#include "base/unique_fd.hpp"

namespace server {

struct ConnState {
    ConnState(poly::UniqueFd s, std::string_view peer, Context& ctx,
              std::chrono::steady_clock::time_point now)
        : fd(std::move(s)),
          runtime(ctx.runtime()),
          counted(ctx.stats),
          log(ctx.access_log, ctx.stats, peer),
          http(runtime->handler, runtime->limits, &log),
          deadline(runtime->timeouts, now) {}
    ConnState(const ConnState&) = delete;
    ConnState& operator=(const ConnState&) = delete;

    poly::UniqueFd fd;
    std::shared_ptr<const Runtime> runtime;
    ConnectionCount counted;
    ExchangeLog log;
    http::Connection http;
    Deadline deadline;
};

}  // namespace server
