// The blocking driver (loop, fork, thread, prefork): serves one accepted connection to its
// end on the calling thread. The socket is non-blocking underneath: each recv/send/sendfile
// is tried first and, on EAGAIN, the thread waits in poll() until the phase's deadline, so the
// header timeout bounds the whole head and a client that reads nothing is dropped after the
// send timeout. A stop request lets the response in flight finish, then closes; how the drain
// is cut short depends on who bounds it (Drain).
#pragma once

#include <cstdint>
#include <string_view>

#include "base/unique_fd.hpp"
#include "server/runtime/context.hpp"
#include "server/sys/accept_once.hpp"

namespace server {

// Who ends a drain that takes too long. The thread model's main thread shuts the sockets down
// itself (Drain{}); a process model's child is told by its master through cut_fd (its private
// pipe, server::Children); the loop model has nobody else, so it watches the second stop
// signal and keeps the --shutdown-timeout itself.
struct Drain {
    int cut_fd = -1;            // readable: abort the response in flight at once
    bool own_deadline = false;  // after the stop, abort once --shutdown-timeout has passed
};

struct Served {
    std::uint64_t requests = 0;  // answered on the connection (prefork recycles by it)
    bool cut = false;            // aborted by the Drain (cut_fd or its own deadline)
};

// An aborted response is still logged and counted, as an incomplete exchange, like every
// model's.
Served serve_blocking(Accepted conn, const Context& ctx, Drain drain = {});

}  // namespace server
