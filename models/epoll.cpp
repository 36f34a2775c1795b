// The two epoll models: one EpollPoller, triggered two ways, under the one reactor.
//   epoll-et (the default model): the kernel reports a change of readiness once, so the
//     reactor reads until a short read or EAGAIN and writes until EAGAIN, and keeps EPOLLOUT
//     armed only while output is blocked. Fewest wake-ups and epoll_ctl calls of all.
//   epoll-lt: the kernel repeats readiness until it is consumed, so the reactor may stop
//     early without losing an event; the price is an epoll_ctl whenever a connection switches
//     between reading and writing, and a wake-up per turn for every ready socket.
#include "server/readiness/epoll_poller.hpp"
#include "server/readiness/reactor.hpp"
#include "server/runtime/model.hpp"

namespace models {
namespace {

template <bool EdgeTriggered>
std::error_code run_epoll(server::Context& ctx) {
    return server::run_reactors(
        ctx, [] { return std::make_unique<server::EpollPoller>(EdgeTriggered); });
}

}  // namespace

extern constinit const server::Model epoll_et_model{
    "epoll-et", "epoll, edge-triggered: every read, write and accept drains to EAGAIN",
    &run_epoll<true>, server::event_loop_reads};

extern constinit const server::Model epoll_lt_model{
    "epoll-lt", "epoll, level-triggered: readiness repeats until consumed", &run_epoll<false>,
    server::event_loop_reads};

}  // namespace models
