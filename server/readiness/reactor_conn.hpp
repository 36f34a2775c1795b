// Private to reactor*.cpp: the reactor's per-connection record. Its address is held by the
// timer list and the fd table, so it is neither copied nor moved.
#pragma once

#include <cstdint>
#include <memory>
#include <string_view>

#include "server/conn/conn_state.hpp"
#include "server/readiness/poller.hpp"
#include "server/readiness/reactor_impl.hpp"

namespace server {

struct Reactor::Conn : ConnState {
    Conn(poly::UniqueFd s, std::string_view peer, Context& ctx, clock::time_point now)
        : ConnState(std::move(s), peer, ctx, now) {
        timer.owner = this;
    }

    TimerNode timer;
    bool read_drained = false;  // a short read or EAGAIN: wait for readiness before recv
    bool queued = false;        // in ready_
    bool lingering = false;     // half-closed, draining what the client still sends
    bool registered = false;    // known to the poller (only once it had to wait)
    std::uint8_t writes = 0;    // counts to 2: TCP_NODELAY goes on before the second write
    std::size_t drained = 0;
};

}  // namespace server
