// ConnState: what every driver keeps for a connection (the blocking driver, the reactor, the
// coroutine loop, the io_uring loop): the socket, the Runtime snapshot the connection started
// under (a reload never changes the rules under a request in flight), its place in the
// statistics and the access log, the HTTP state machine and the Session drivers talk to (TLS
// over it on a TLS listener), its deadline, its lingering close, and the socket-tuning policy
// (before_write()). Used on the connection's thread only. Members are in dependency order:
// http uses runtime and log, session uses http; a driver's own members (derived) are
// destroyed before the socket closes.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>

#include "base/unique_fd.hpp"
#include "http/connection.hpp"
#include "server/conn/deadline.hpp"
#include "server/conn/linger.hpp"
#include "server/conn/session.hpp"
#include "server/obs/access_log.hpp"
#include "server/obs/stats.hpp"
#include "server/runtime/context.hpp"
#include "server/sys/socket_options.hpp"

namespace server {

struct ConnState {
    // `kind`: the listener's. A TLS listener without a TLS context in the snapshot cannot
    // happen (startup and reload refuse it); such a connection would be served plain.
    ConnState(poly::UniqueFd s, std::string_view peer, ListenerKind kind, const Context& ctx,
              std::chrono::steady_clock::time_point now)
        : fd(std::move(s)),
          runtime(ctx.runtime()),
          counted(ctx.stats),
          log(ctx.access_log, ctx.stats, peer),
          http(runtime->sites, runtime->limits, &log,
               kind == ListenerKind::tls ? http::Transport::tls : http::Transport::plain),
          session(http, kind == ListenerKind::tls ? runtime->tls : nullptr, ctx.stats.tls),
          deadline(runtime->timeouts, now) {}
    ConnState(const ConnState&) = delete;
    ConnState& operator=(const ConnState&) = delete;

    // Call before every send operation (send, sendfile, splice to the socket; io_uring's one
    // send of head and body counts as one). TCP_NODELAY goes on before the SECOND: Nagle holds
    // a small segment back only while an earlier one is unacknowledged, so a first write never
    // waits, and a one-response Connection: close exchange never pays the setsockopt.
    void before_write() noexcept {
        if (writes_ < 2 && ++writes_ == 2) set_nodelay(fd.get());
    }

    poly::UniqueFd fd;
    std::shared_ptr<const Runtime> runtime;
    ConnectionCount counted;
    ExchangeLog log;
    http::Connection http;
    Session session;
    Deadline deadline;
    Linger linger;

private:
    std::uint8_t writes_ = 0;  // counts to 2
};

}  // namespace server
