// The blocking driver (loop, fork, thread, prefork): serves one accepted connection to its
// end on the calling thread. The socket is non-blocking underneath: each recv/send/sendfile
// is tried first and, on EAGAIN, the thread waits in poll() until the phase's deadline, so the
// header timeout bounds the whole head and a client that reads nothing is dropped after the
// send timeout. A stop request lets the response in flight finish, then closes; how the drain
// is cut short depends on who bounds it (Drain). A pool with a cap (prefork) passes Hooks: an
// observer of the connection's phases (its scoreboard) and the saturation rule.
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>

#include "base/unique_fd.hpp"
#include "http/connection.hpp"
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
    int retire_fd = -1;         // readable: this process leaves its pool (Connection::retire)
};

// Told of the connection's progress, on the serving thread, between its syscalls: must be
// cheap and never block (prefork's worker stores its scoreboard state).
class ConnObserver {
public:
    // At the start (Phase::head) and at every change of http::Connection::phase().
    virtual void on_phase(http::Phase phase, std::uint64_t requests_served) noexcept = 0;
    // Once, when the exchange is over and the socket closes (lingering included).
    virtual void on_closing() noexcept = 0;

protected:
    ~ConnObserver() = default;
};

// The saturation rule: while clients wait for a worker and none is free, the supervisor
// offers one token per waiting client on Hooks::saturated_fd, and a connection idle between
// requests for at least saturated_keepalive takes one and closes, instead of waiting out
// --keepalive-timeout, so its worker takes a waiting client. What it trades: a keep-alive
// client that pauses for a second under saturation pays a new connection later (Apache's
// prefork has no such rule: its busy keep-alive clients starve new ones for KeepAliveTimeout).
inline constexpr std::chrono::milliseconds saturated_keepalive{1000};

// The supervisor's side: an eventfd in semaphore mode, one read per token, so exactly as many
// idle connections close as tokens were offered. One owner thread.
class SaturationTokens {
public:
    SaturationTokens();  // throws std::system_error (startup only)
    // Called at each look at the queue with the clients waiting (0: none, or a worker is
    // free): takes back the tokens nobody took and leaves n, less the tokens taken since the
    // last offer (their clients are about to be accepted).
    void offer(std::uint64_t n) noexcept;
    [[nodiscard]] int fd() const noexcept { return fd_.get(); }

private:
    poly::UniqueFd fd_;
    std::uint64_t offered_ = 0;
};

// Clients waiting in the listeners' accept queues now (Linux reports a listening TCP socket's
// queue length in TCP_INFO's tcpi_unacked; a listener that does not say counts 1 when
// readable): how many tokens a supervisor at its cap offers. Any thread; never blocks.
std::uint64_t queued_clients(const ListenerSet& listeners) noexcept;

struct Hooks {
    ConnObserver* observer = nullptr;
    int saturated_fd = -1;  // SaturationTokens::fd(); -1: no such rule
};

struct Served {
    std::uint64_t requests = 0;  // answered on the connection (prefork recycles by it)
    bool cut = false;            // aborted by the Drain (cut_fd or its own deadline)
};

// An aborted response is still logged and counted, as an incomplete exchange, like every
// model's.
Served serve_blocking(Accepted conn, const Context& ctx, Drain drain = {}, Hooks hooks = {});

}  // namespace server
