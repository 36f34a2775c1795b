// The uring model's driver: completion-based serving on io_uring, from accept to close.
// run_uring_loops() starts cfg.workers loops (one ring per thread, the calling thread
// included), all taking connections from every shared listener with a multishot accept
// each, and returns once a stop has been requested and every connection has drained or the
// shutdown timeout passed. The caller must have checked uring_unavailable_reason() first.
#pragma once

#include <system_error>

#include "server/runtime/context.hpp"

namespace server {

std::error_code run_uring_loops(Context& ctx);

}  // namespace server
