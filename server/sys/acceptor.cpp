#include "server/sys/acceptor.hpp"

#include <poll.h>

#include <chrono>
#include <thread>

#include "base/syscall.hpp"
#include "server/sys/accept_once.hpp"

namespace server {
namespace {

constexpr std::chrono::milliseconds resource_pause{50};

// Returns false when the stop was requested.
bool wait_listener(int listen_fd, const Shutdown& stop) {
    pollfd fds[2] = {{listen_fd, POLLIN, 0}, {stop.wake_fd(), POLLIN, 0}};
    for (;;) {
        const int n = poly::retry_eintr([&] { return ::poll(fds, 2, -1); });
        if (n < 0) return false;
        if (fds[1].revents != 0) return false;
        if (fds[0].revents != 0) return true;
    }
}

}  // namespace

Accepted accept_blocking(int listen_fd, const Shutdown& stop) {
    while (wait_listener(listen_fd, stop)) {
        Accepted a = accept_once(listen_fd);
        if (a.fd) return a;
        if (out_of_resources(errno)) {
            // Out of descriptors: the pending client stays in the backlog; retry shortly
            // rather than spin on a listener that stays readable.
            log_accept_pause(errno, resource_pause);
            std::this_thread::sleep_for(resource_pause);
        }
        // EAGAIN (another process won the race), ECONNABORTED, EPROTO...: wait again.
    }
    return {};
}

}  // namespace server
