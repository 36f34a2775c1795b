// epoll, edge-triggered (the default model): the kernel reports a change of readiness once,
// so the reactor reads until a short read or EAGAIN and writes until EAGAIN, and keeps
// EPOLLOUT armed only while output is blocked. Fewest wake-ups and epoll_ctl calls of all.
#include "server/readiness/epoll_poller.hpp"
#include "server/readiness/reactor.hpp"
#include "server/runtime/model.hpp"

namespace models {

extern constinit const server::Model epoll_et_model{
    "epoll-et", "epoll, edge-triggered: every read, write and accept drains to EAGAIN",
    [](server::Context& ctx) {
        return server::run_reactors(ctx,
                                    [] { return std::make_unique<server::EpollPoller>(true); });
    }};

}  // namespace models
