#include "server/sys/accept_once.hpp"

#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include <spdlog/spdlog.h>

#include "base/syscall.hpp"
#include "server/obs/log_throttle.hpp"
#include "server/sys/listener.hpp"

namespace server {

Accepted accept_once(int listen_fd) {
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    const int fd = poly::retry_eintr([&] {
        return ::accept4(listen_fd, reinterpret_cast<sockaddr*>(&ss), &len,
                         SOCK_NONBLOCK | SOCK_CLOEXEC);
    });
    if (fd < 0) return {};
    return {poly::UniqueFd(fd), format_address(&ss)};
}

Accepted accept_once(const Listener& l) {
    Accepted a = accept_once(l.fd());
    a.kind = l.kind();
    return a;
}

bool out_of_resources(int err) noexcept {
    return err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM;
}

void log_accept_pause(int err, std::chrono::milliseconds pause) noexcept {
    static LogThrottle throttle(std::chrono::seconds(10));
    if (const std::uint64_t pauses = throttle.admit())
        spdlog::warn("accept: {}; pausing accepts for {} ms ({} pauses since the last report)",
                     std::strerror(err), pause.count(), pauses);
}

std::chrono::milliseconds accept_pause_for(int err) noexcept {
    if (!out_of_resources(err)) return std::chrono::milliseconds::zero();
    log_accept_pause(err, event_loop_resource_pause);
    return event_loop_resource_pause;
}

}  // namespace server
