// ListenerSet: every listening socket of a run, in the order they were configured (--listen
// addresses, or the sockets systemd passed). Built on the main thread at startup (main.cpp),
// then read-only and shared by every thread and inherited by forked children: models accept
// on each (the blocking models poll them all, the event loops register each). Listeners are
// added only before a model runs, so their addresses are stable for the run.
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

    [[nodiscard]] std::size_t size() const noexcept { return all_.size(); }
    [[nodiscard]] bool empty() const noexcept { return all_.empty(); }
    [[nodiscard]] const Listener& operator[](std::size_t i) const noexcept { return all_[i]; }
    [[nodiscard]] std::span<const Listener> all() const noexcept { return all_; }
    [[nodiscard]] auto begin() const noexcept { return all_.begin(); }
    [[nodiscard]] auto end() const noexcept { return all_.end(); }

    // The listener with this descriptor, or nullptr (an event loop sorting its events).
    [[nodiscard]] const Listener* find(int fd) const noexcept;
    // Every listener's O_NONBLOCK. Throws std::system_error like Listener::set_nonblocking.
    void set_nonblocking(bool on) const;
    // "a, b": every local address, for the startup line.
    [[nodiscard]] std::string addresses() const;

private:
    std::vector<Listener> all_;
};

}  // namespace server
