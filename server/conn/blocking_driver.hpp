// The blocking driver (loop, fork, thread, prefork): serves one accepted connection to its
// end on the calling thread. The socket is non-blocking underneath: each recv/send/sendfile
// is tried first and, on EAGAIN, the thread waits in poll() until the phase's deadline, so the
// header timeout bounds the whole head and a client that reads nothing is dropped after the
// send timeout. A stop request lets the response in flight finish, then closes.
#pragma once

#include <cstdint>
#include <string_view>

#include "base/unique_fd.hpp"
#include "server/runtime/context.hpp"

namespace server {

// Returns the number of requests answered on the connection (prefork counts them to recycle
// a worker after --max-requests-per-worker).
std::uint64_t serve_blocking(poly::UniqueFd sock, std::string_view peer, const Context& ctx);

}  // namespace server
