// ExclusiveAcceptor: accepting for a pool of processes that share one listening socket
// (prefork). Each process waits in an epoll set of its own that holds the listener with
// EPOLLEXCLUSIVE, so the kernel wakes ONE idle waiter per incoming connection. With poll() on
// the shared listener (accept_blocking) every idle worker wakes for every connection and all
// but one find nothing to accept: the thundering herd, which cost prefork more than half its
// connection rate here (docs/models-blocking.md). Busy workers are not waiting, so they are
// never woken: the queue stays shared and any idle worker takes the next client.
// The set also holds the process's stop fd, so a stop is seen without a race. A wake-up that
// one worker received and never used (it was stopped, or retired, at that instant) would leave
// the client queued until the next client: idle workers re-check the listener every second.
// Create it in the process that uses it (after fork); one thread; accept() blocks.
// EPOLLEXCLUSIVE needs Linux 4.5; on an older kernel the constructor throws (EINVAL).
#pragma once

#include "base/unique_fd.hpp"
#include "server/sys/acceptor.hpp"

namespace server {

class ExclusiveAcceptor {
public:
    // Throws std::system_error when the epoll set cannot be made.
    ExclusiveAcceptor(int listen_fd, int stop_fd);

    // The next connection, or an invalid fd once stop_fd is readable (it stays readable).
    // The listener must be O_NONBLOCK: another waiter (or another process's accept_blocking)
    // may take the connection first, and this then waits again.
    Accepted accept();

private:
    int listen_fd_;
    int stop_fd_;
    poly::UniqueFd epoll_;
};

}  // namespace server
