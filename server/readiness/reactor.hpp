// The non-blocking pump and its event loop, shared by every readiness model (select, poll,
// epoll-lt, epoll-et): a model is only its Poller. run_reactors() starts cfg.workers reactors
// (one per thread, the calling thread included), all accepting from every shared listener,
// and returns once a stop has been requested and every connection is drained or the shutdown
// timeout has passed.
//
// Per connection the rule is "syscall first, wait only on EAGAIN": recv/send/sendfile are
// tried at once and the Poller is asked to wait only when the kernel says so. A short read
// proves the socket's queue empty at that instant, so the reactor then waits for the next
// readiness event instead of paying for a recv that would return EAGAIN; under edge
// triggering that is exactly the drain-to-EAGAIN guarantee (any byte arriving later raises a
// new edge), at one syscall less per request.
#pragma once

#include <functional>
#include <memory>
#include <system_error>

#include "server/readiness/poller.hpp"
#include "server/runtime/context.hpp"

namespace server {

using PollerFactory = std::function<std::unique_ptr<Poller>()>;

std::error_code run_reactors(Context& ctx, const PollerFactory& make_poller);

}  // namespace server
