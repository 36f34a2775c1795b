#include "server/sys/acceptor.hpp"

#include <poll.h>

#include <chrono>
#include <span>
#include <thread>
#include <vector>

#include "base/syscall.hpp"
#include "server/sys/accept_once.hpp"

namespace server {
namespace {

constexpr std::chrono::milliseconds resource_pause{50};

// Waits for any of fds[0..n-1] or the stop, which is fds[n]; false when the stop was requested.
bool wait_ready(std::span<pollfd> fds) {
    for (;;) {
        const int n = poly::retry_eintr([&] { return ::poll(fds.data(), fds.size(), -1); });
        if (n < 0 || fds.back().revents != 0) return false;
        if (n > 0) return true;
    }
}

// Out of descriptors: the pending client stays in the backlog; retry shortly rather than
// spin on a listener that stays readable.
void pause_if_out_of_resources(int err) {
    if (!out_of_resources(err)) return;
    log_accept_pause(err, resource_pause);
    std::this_thread::sleep_for(resource_pause);
}

}  // namespace

Accepted accept_blocking(int listen_fd, const Shutdown& stop) {
    pollfd fds[2] = {{listen_fd, POLLIN, 0}, {stop.wake_fd(), POLLIN, 0}};
    while (wait_ready(fds)) {
        Accepted a = accept_once(listen_fd);
        if (a.fd) return a;
        pause_if_out_of_resources(errno);
        // EAGAIN (another process won the race), ECONNABORTED, EPROTO...: wait again.
    }
    return {};
}

Accepted accept_blocking(const ListenerSet& listeners, const Shutdown& stop, std::size_t& next) {
    if (listeners.size() == 1) {
        Accepted a = accept_blocking(listeners[0].fd(), stop);
        a.kind = listeners[0].kind();
        return a;
    }
    const std::size_t n = listeners.size();
    std::vector<pollfd> fds;
    fds.reserve(n + 1);
    for (const Listener& l : listeners) fds.push_back({l.fd(), POLLIN, 0});
    fds.push_back({stop.wake_fd(), POLLIN, 0});
    while (wait_ready(fds)) {
        // Start after the listener served last time: each ready one gets its turn.
        for (std::size_t k = 0; k < n; ++k) {
            const std::size_t i = (next + k) % n;
            if (fds[i].revents == 0) continue;
            Accepted a = accept_once(listeners[i]);
            if (!a.fd) {
                pause_if_out_of_resources(errno);
                continue;
            }
            next = i + 1;
            return a;
        }
    }
    return {};
}

}  // namespace server
