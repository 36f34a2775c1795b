// Accepting connections for the blocking models (loop, fork's children aside, thread): wait
// for a listener or a stop, then accept_once() a non-blocking, CLOEXEC socket (TCP_NODELAY is
// the connection's policy: ConnState::before_write). Called on the accepting thread; blocks in
// poll() until a client or a stop arrives.
#pragma once

#include "server/sys/accept_once.hpp"
#include "server/sys/listener_set.hpp"
#include "server/sys/shutdown.hpp"

namespace server {

// Returns a connection, or an invalid fd once the stop is requested. Transient failures
// (ECONNABORTED, EINTR, a lost race with another acceptor) are retried; EMFILE/ENFILE are
// waited out for 50 ms instead of spinning, and logged at most every 10 s (log_accept_pause).
Accepted accept_blocking(int listen_fd, const Shutdown& stop);

// The same over every listener of the set: one poll() on all of them and the stop, then an
// accept on a ready one, taken in turn so that a busy listener cannot starve the others. A
// set of one takes accept_blocking(fd) above, today's path, at no extra cost. An EMFILE
// pause holds every listener (the descriptors are the process's, not a listener's).
// `next` is the caller's turn counter (one per accepting thread), kept between calls.
Accepted accept_blocking(const ListenerSet& listeners, const Shutdown& stop, std::size_t& next);

}  // namespace server
