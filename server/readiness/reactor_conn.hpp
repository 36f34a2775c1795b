// Private to reactor*.cpp: the reactor's per-connection record. Its address is held by the
// timer list and the fd table, so it is neither copied nor moved.
#pragma once

#include <memory>
#include <string_view>

#include "server/conn/conn_state.hpp"
#include "server/readiness/poller.hpp"
#include "server/readiness/reactor_impl.hpp"

namespace server {

struct Reactor::Conn : ConnState {
    Conn(poly::UniqueFd s, std::string_view peer, ListenerKind kind, LoopShared& shared,
         clock::time_point now)
        : ConnState(std::move(s), peer, kind, shared.ctx, now), slot(shared) {
        timer.owner = this;
    }

    LoopShared::Slot slot;
    TimerNode timer;
    bool read_drained = false;  // a short read or EAGAIN: wait for readiness before recv
    bool queued = false;        // in ready_
    bool registered = false;    // known to the poller (only once it had to wait)
};

}  // namespace server
