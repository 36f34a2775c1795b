// ExclusiveAcceptor: accepting for a pool of processes that share the listening sockets
// (prefork). Each process waits in an epoll set of its own that holds every listener with
// EPOLLEXCLUSIVE, so the kernel wakes ONE idle waiter per incoming connection. With poll() on
// the shared listener (accept_blocking) every idle worker wakes for every connection and all
// but one find nothing to accept: the thundering herd, which cost prefork more than half its
// connection rate here (docs/models-blocking.md). Busy workers are not waiting, so they are
// never woken: the queue stays shared and any idle worker takes the next client.
// The set also holds the process's stop fd and its retire fd, so either is seen without a race. A wake-up that
// one worker received and never used (it was stopped, or retired, at that instant) would leave
// the client queued until the next client: idle workers re-check the listener every second.
// Create it in the process that uses it (after fork); one thread; accept() blocks.
// EPOLLEXCLUSIVE needs Linux 4.5; on an older kernel the constructor throws (EINVAL).
#pragma once

#include <sys/epoll.h>

#include <vector>

#include "base/unique_fd.hpp"
#include "server/sys/acceptor.hpp"
#include "server/sys/listener_set.hpp"

namespace server {

class ExclusiveAcceptor {
public:
    // Throws std::system_error when the epoll set cannot be made.
    // `listeners` must outlive the acceptor.
    ExclusiveAcceptor(const ListenerSet& listeners, int stop_fd, int retire_fd = -1);

    // The next connection, from any listener (the ready ones in turn), or an invalid fd once
    // stop_fd or retire_fd is readable (they stay readable). The listeners must be O_NONBLOCK: another
    // waiter may take the connection first, and this then waits again.
    Accepted accept();

private:
    // An accept on the listeners marked in ready_, from the one after the last served.
    Accepted accept_ready();

    const ListenerSet& listeners_;
    int stop_fd_;
    poly::UniqueFd epoll_;
    std::vector<epoll_event> events_;  // the listeners, the stop fd and the retire fd
    std::vector<char> ready_;          // by listener: reported readable by the last wait
    std::size_t next_ = 0;             // the listener whose turn is first
};

}  // namespace server
