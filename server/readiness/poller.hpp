// Poller: the one small table of operations behind every readiness model (select, poll,
// epoll level- and edge-triggered), like nginx's event modules. One Poller per reactor
// thread; not thread-safe. Interest is what the connection waits for right now; a Poller
// may keep read interest armed under edge triggering, since edges cost nothing when idle.
#pragma once

#include <climits>
#include <cstdint>
#include <span>

namespace server {

enum class Interest : std::uint8_t { read, write };

struct PollEvent {
    int fd = -1;
    bool readable = false;
    bool writable = false;
    bool hangup = false;  // error, HUP or RDHUP: the next syscall will tell which
};

class Poller {
public:
    virtual ~Poller() = default;

    // Registers fd (false with errno set on failure, e.g. select's FD_SETSIZE).
    virtual bool add(int fd, Interest interest) = 0;
    // The listening socket, shared by every reactor: pollers that can avoid waking every
    // thread for one connection (EPOLLEXCLUSIVE) do so.
    virtual bool add_listener(int fd) { return add(fd, Interest::read); }
    // Changes what fd waits for; cheap when nothing changes.
    virtual bool set(int fd, Interest interest) = 0;
    // Must be called before close(fd) when fd stays registered elsewhere afterwards.
    virtual void remove(int fd) = 0;
    // fd is about to be closed and no duplicate of it exists: drop what the poller keeps
    // for it. A kernel-side registration (epoll) dies with the close, so this can skip the
    // syscall remove() makes.
    virtual void forget(int fd) { remove(fd); }
    // Waits up to timeout_ms (-1: forever); returns the number of events written, or -1
    // with errno (EINTR included: the caller loops).
    virtual int wait(std::span<PollEvent> out, int timeout_ms) = 0;

    // Descriptors at or above this cannot be registered (select's FD_SETSIZE).
    [[nodiscard]] virtual int fd_limit() const noexcept { return INT_MAX; }
    // No edge_triggered() query: the reactor's one rule (syscall first, wait only on EAGAIN or
    // after a short read) is correct under both triggerings, so nothing branches on it.
};

}  // namespace server
