// The iterative server (the seed's first lesson): accept one connection, serve it to the end,
// then accept the next. Clients queue in the listen backlog meanwhile. Useful as the baseline
// every other model is measured against, and for debugging: no concurrency at all.
// Stop: nobody else can bound the drain, so the connection being served keeps
// --shutdown-timeout itself and also ends at once on a second SIGINT/SIGTERM.
#include "server/conn/blocking_driver.hpp"
#include "server/runtime/model.hpp"
#include "server/sys/acceptor.hpp"

namespace models {
namespace {

std::error_code serve_one_at_a_time(server::Context& ctx) {
    std::size_t turn = 0;
    for (;;) {
        server::Accepted c = server::accept_blocking(ctx.listeners, ctx.shutdown, turn);
        if (!c.fd) break;  // stop requested
        const server::Drain drain{ctx.shutdown.urgent_fd(), true};
        if (server::serve_blocking(std::move(c), ctx, drain).cut) ctx.shutdown.count_cut(1);
    }
    return {};
}

}  // namespace

extern constinit const server::Model loop_model{
    "loop", "iterative server: one connection at a time, the others wait in the backlog",
    &serve_one_at_a_time};

}  // namespace models
