// Children: the child processes of a process-based model (fork, prefork) and their reaping.
// Created and used on the model's main thread only; one instance per process at a time.
// Nothing here blocks except wait_all() and stop_all(), which poll until their deadline.
//
// Reaping (the seed's zombie lesson): SIGCHLD only writes a byte to a self-pipe, and reap()
// runs a waitpid(WNOHANG) loop from the model's own loop, which polls that pipe. Chosen over
// SA_NOCLDWAIT because both models must know which child ended (a live count for
// --max-connections, a worker slot to refill for prefork), and over reaping inside the
// handler because the master may have other threads (the reload/control thread) and a
// handler that touched the child table would race with them; a byte in a pipe does not.
// SIGCHLD is coalesced by the kernel, so one byte may stand for many exits: reap() always
// loops until waitpid has nothing more.
//
// A child first sets itself up (see spawn()): SIGCHLD back to default, the self-pipe closed,
// and its own stop: SIGTERM/SIGINT make a private pipe readable, which is put in place of
// the inherited Shutdown wake fd (same descriptor number), so serve_blocking() and the
// acceptors in the child watch the child's own stop. That is what lets prefork retire one worker
// and lets `kill <child>` stop one child, without a signal to a child ever writing the shared stop
// pipe (which would stop the whole server). The master therefore forwards its stop to the
// children with SIGTERM (signal_all), and PR_SET_PDEATHSIG turns the master's death into
// the same SIGTERM, so no worker outlives a SIGKILLed master holding the listener.
// The same way SIGUSR2 makes a private pipe readable under the number of the Shutdown's
// urgent fd: the master's order to cut the connection in flight now (its drain timed out, or
// a second SIGINT/SIGTERM came), which the child's serve_blocking() watches (Drain::cut_fd).
// A cut response is then logged and counted in the child like in every other model, which a
// SIGKILL would prevent; SIGKILL stays the last resort for a child that does not react.
// SIGWINCH (Apache's graceful-stop signal for its children) makes a third private pipe
// readable, retire_fd(): the order to leave the pool once the connection in hand is answered.
// It is not the stop: a stop closes a connection that has sent nothing yet, while a retired
// worker's listeners stay open for the others and a client it had just accepted would be lost.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

#include "server/obs/stats.hpp"
#include "server/sys/shutdown.hpp"

namespace server {

class Children {
public:
    // Installs the SIGCHLD handler. Throws std::system_error (startup only).
    Children();
    // Restores SIGCHLD's default; children still alive are left alone (call wait_all first).
    ~Children();
    Children(const Children&) = delete;
    Children& operator=(const Children&) = delete;

    // fork()s a child that sets up its own stop (see above), runs body() and _exit()s with
    // its result: no atexit handler, static destructor or stdio flush of the parent ever runs
    // in a child. Returns the child's pid, or -1 with errno set (EAGAIN, ENOMEM) when fork()
    // failed. The child also exits (status 70) if it cannot set up its stop pipe.
    pid_t spawn(const Shutdown& stop, const std::function<int()>& body);

    // Readable after a child ended; reap() empties it.
    [[nodiscard]] int wake_fd() const noexcept;
    // In a child: readable once SIGWINCH came (see above); -1 in the master.
    [[nodiscard]] static int retire_fd() noexcept;
    [[nodiscard]] std::size_t live() const noexcept { return live_.size(); }

    // Reaps every ended child without blocking; on_exit(pid, wait status) for each one.
    void reap(const std::function<void(pid_t, int)>& on_exit);

    void signal(pid_t pid, int sig) const;
    void signal_all(int sig) const;

    // Reaps until no child is left, `deadline` passes or interrupt_fd is readable; returns
    // how many are still alive.
    std::size_t wait_all(std::chrono::steady_clock::time_point deadline,
                         const std::function<void(pid_t, int)>& on_exit, int interrupt_fd = -1);

    // Connections the live children hold now (Stats' per-process count).
    [[nodiscard]] std::int64_t connections_held(const Stats& stats) const;

    // The shutdown sequence of both models: SIGTERM to every child, wait up to `grace` or
    // until the second stop signal (stop.urgent_fd()); then take the connections the children
    // still hold as cut, order the cut (SIGUSR2), and SIGKILL the children still alive 0.5 s
    // later (a stopped process), with a warning.
    struct Outcome {
        std::size_t cut = 0;     // connections held when the cut was ordered
        std::size_t killed = 0;  // children that had to be SIGKILLed
    };
    Outcome stop_all(std::chrono::milliseconds grace, const Shutdown& stop, const Stats& stats,
                     const std::function<void(pid_t, int)>& on_exit);

private:
    std::unordered_set<pid_t> live_;
};

// "exit status 3", "killed by SIGKILL": for log lines about a child's end.
std::string describe_wait_status(int status);

}  // namespace server
