// coroutine: one C++20 coroutine per connection, written as straight-line code ("read a
// request, send the response, repeat") and resumed by an epoll loop when the socket is ready
// - the seed's asyncio/gevent lesson without a coroutine library. Same syscalls as epoll-et;
// what changes is that each connection's state lives in its coroutine frame, not in a state
// record the reactor dispatches on. --workers N runs one loop per thread.
#include "models/coroutine/coro_server.hpp"
#include "server/runtime/model.hpp"

namespace models {

extern constinit const server::Model coroutine_model{
    "coroutine", "one C++20 coroutine per connection, resumed by an edge-triggered epoll loop",
    &server::run_coroutine_loops, server::event_loop_reads};

}  // namespace models
