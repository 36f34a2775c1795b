// ListenerSet: every listening socket of a run, in the order they were configured (--listen
// addresses, or the sockets systemd passed). Built on the main thread at startup (main.cpp),
// then read-only and shared by every thread and inherited by forked children: models accept
// on each (the blocking models poll them all, the event loops register each). Listeners are
// added only before a model runs, so their addresses are stable for the run.
//
// --reuseport (event loops with --workers N, run_workers.hpp): before any loop runs, the set
// gains N-1 more groups, one per further loop, each a SO_REUSEPORT twin of every listener;
// every thread then sees its own group through the same interface (size, [], begin/end,
// find), picked by a thread-local worker number that run_workers sets on each loop's thread
// and that is 0 (the configured sockets) on every other thread. So the loops need not know.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <vector>

#include "server/sys/listener.hpp"

namespace server {

class ListenerSet {
public:
    ListenerSet() = default;
    explicit ListenerSet(Listener l) { add(std::move(l)); }

    // Binds every address in order (Listener::bind, which warns about a host name's unbound
    // addresses). Throws std::system_error naming the first address that fails; the sockets
    // bound before it are closed.
    static ListenerSet bind(const std::vector<std::string>& addresses,
                            ListenerKind kind = ListenerKind::plain);

    // The same, appended to this set (the TLS listeners after the plain ones).
    void bind_more(const std::vector<std::string>& addresses, ListenerKind kind);

    void add(Listener l) { all_.push_back(std::move(l)); }

    // The calling thread's group: what the rest of this interface reads.
    [[nodiscard]] std::size_t size() const noexcept { return mine().size(); }
    [[nodiscard]] bool empty() const noexcept { return mine().empty(); }
    [[nodiscard]] const Listener& operator[](std::size_t i) const noexcept { return mine()[i]; }
    [[nodiscard]] std::span<const Listener> all() const noexcept { return mine(); }
    [[nodiscard]] auto begin() const noexcept { return mine().begin(); }
    [[nodiscard]] auto end() const noexcept { return mine().end(); }

    // The listener with this descriptor, or nullptr (an event loop sorting its events).
    [[nodiscard]] const Listener* find(int fd) const noexcept;
    // Every listener's O_NONBLOCK, every group's. Throws std::system_error like
    // Listener::set_nonblocking.
    void set_nonblocking(bool on) const;
    // "a, b": every local address, for the startup line.
    [[nodiscard]] std::string addresses() const;

    // --reuseport: groups for workers 1 .. workers-1 (Listener::reuseport_twin of each); on the
    // main thread, before any worker runs. Nothing when there are groups already or workers
    // < 2. Throws std::system_error (a unix socket, a port another user holds): then the set
    // is as it was, one group shared by every worker.
    void add_worker_groups(unsigned workers);
    // How many groups: 1, or the workers add_worker_groups() split it for.
    [[nodiscard]] std::size_t groups() const noexcept { return 1 + more_.size(); }
    // The calling thread serves group `worker` from now on (a worker past the last group, or
    // with none added, serves group 0). For run_workers, on each loop's thread.
    static void serve_as_worker(unsigned worker) noexcept;

private:
    [[nodiscard]] const std::vector<Listener>& mine() const noexcept;

    std::vector<Listener> all_;
    std::vector<std::vector<Listener>> more_;  // workers 1.. under --reuseport
};

}  // namespace server
