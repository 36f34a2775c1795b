// The coroutine model's server: cfg.workers CoroLoops (one per thread, the calling thread
// included) share the listeners (EPOLLEXCLUSIVE: one loop wakes per connection). Each loop
// runs one acceptor coroutine per listener and one coroutine per connection that reads like the
// blocking driver - receive, respond, repeat - with co_await where the blocking driver sits in
// poll(). Limits are the readiness models': --max-connections counted server-wide (at the cap the
// listener is unwatched and the backlog waits), EMFILE pauses accepting for 100 ms, and the
// same header, keep-alive and send deadlines (Deadline) per connection.
// Called once by the model on the main thread; returns after a stop, once every connection
// has finished or the shutdown timeout cut the rest off (their frames destroyed, sockets
// closed). Returns an error only when the loops cannot be created (startup).
#pragma once

#include <system_error>

#include "server/runtime/context.hpp"

namespace server {

std::error_code run_coroutine_loops(Context& ctx);

}  // namespace server
