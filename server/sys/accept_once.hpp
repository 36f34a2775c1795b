// accept_once(): one non-blocking accept4() for a loop that polled the listener readable
// itself because it also waits for something else: the event loops, and the fork parent
// (it waits for SIGCHLD too, and must never sit in accept_blocking() while children it should
// reap pile up as zombies). accept_blocking() is built on it.
// Called on that loop's thread; never blocks: the listener must be O_NONBLOCK.
#pragma once

#include <chrono>
#include <string>

#include "base/unique_fd.hpp"
#include "server/sys/listener.hpp"

namespace server {

struct Accepted {
    poly::UniqueFd fd;  // invalid: nothing accepted (see errno), or stopping
    std::string peer;   // "addr:port"
    // The kind of listener it came in on: what the connection will speak (plain until the
    // TLS filter reads it).
    ListenerKind kind = ListenerKind::plain;
};

// A connection (non-blocking, CLOEXEC; TCP_NODELAY is the connection's own policy, see
// ConnState::before_write), or an invalid fd with errno set: EAGAIN/ECONNABORTED/EINTR mean
// "poll again"; EMFILE, ENFILE, ENOBUFS, ENOMEM mean "out of resources: stop polling the
// listener for a moment" (see out_of_resources() and accept_pause_for()).
Accepted accept_once(int listen_fd);
// The same on `l`, with the connection tagged with l's kind.
Accepted accept_once(const Listener& l);

[[nodiscard]] bool out_of_resources(int err) noexcept;

// How long an event loop stops accepting after out_of_resources(): long enough that a
// listener which stays readable does not spin, short enough that freed descriptors are soon
// used.
inline constexpr std::chrono::milliseconds event_loop_resource_pause{100};

// Every model that runs out of descriptors stops accepting for `pause` and says so here. A
// listener stays readable while clients wait, so this fires at every pause, many times a
// second: the warning leaves at most every 10 s per process, with the count of pauses.
void log_accept_pause(int err, std::chrono::milliseconds pause) noexcept;

// The event loops' one decision after a failed accept with errno `err`: how long to stop
// accepting. event_loop_resource_pause (and the throttled warning) when out_of_resources(err);
// zero otherwise (EAGAIN: drained, or another loop won the race; ECONNABORTED: the next one).
// (At --max-connections a loop pauses for capacity_pause, server/loop/loop_shared.hpp.)
[[nodiscard]] std::chrono::milliseconds accept_pause_for(int err) noexcept;

}  // namespace server
