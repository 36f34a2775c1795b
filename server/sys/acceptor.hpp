// Accepting connections for the blocking models (loop, fork, thread, prefork): wait for the
// listener or a stop, then accept_once() a non-blocking, CLOEXEC socket (TCP_NODELAY is the
// connection's policy: ConnState::before_write). Called on the accepting thread; blocks in
// poll() until a client or a stop arrives.
#pragma once

#include "server/sys/accept_once.hpp"
#include "server/sys/shutdown.hpp"

namespace server {

// Returns a connection, or an invalid fd once the stop is requested. Transient failures
// (ECONNABORTED, EINTR, a lost race with another acceptor) are retried; EMFILE/ENFILE are
// waited out for 50 ms instead of spinning, and logged at most every 10 s (log_accept_pause).
Accepted accept_blocking(int listen_fd, const Shutdown& stop);

}  // namespace server
