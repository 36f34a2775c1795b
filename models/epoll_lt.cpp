// epoll, level-triggered: the kernel repeats readiness until it is consumed, so the reactor
// may stop early without losing an event; the price is an epoll_ctl whenever a connection
// switches between reading and writing, and a wake-up per turn for every ready socket.
#include "server/readiness/epoll_poller.hpp"
#include "server/readiness/reactor.hpp"
#include "server/runtime/model.hpp"

namespace models {

extern constinit const server::Model epoll_lt_model{
    "epoll-lt", "epoll, level-triggered: readiness repeats until consumed",
    [](server::Context& ctx) {
        return server::run_reactors(ctx,
                                    [] { return std::make_unique<server::EpollPoller>(false); });
    }};

}  // namespace models
