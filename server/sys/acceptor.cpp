#include "server/sys/acceptor.hpp"

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "server/sys/accept_once.hpp"
#include "server/sys/listener.hpp"
#include "base/syscall.hpp"
#include "server/sys/socket_options.hpp"

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
        sockaddr_storage ss{};
        socklen_t len = sizeof ss;
        const int fd = poly::retry_eintr([&] {
            return ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len,
                             SOCK_NONBLOCK | SOCK_CLOEXEC);
        });
        if (fd >= 0) {
            set_nodelay(fd);
            return {poly::UniqueFd(fd), format_address(&ss)};
        }
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
