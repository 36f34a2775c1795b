#include "models/prefork/accept_exclusive.hpp"

#include <poll.h>
#include <sys/epoll.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <spdlog/spdlog.h>

#include "base/syscall.hpp"
#include "server/sys/accept_once.hpp"

namespace server {
namespace {

// EPOLLEXCLUSIVE wakes ONE waiter per connection, and that waiter may never accept it: it is
// stopped (SIGSTOP, a debugger) between its wake-up and accept(), or it sees its own stop in
// the same wake-up (a reload retiring it) and leaves. Nothing else wakes the other workers
// until the next client arrives, which on a quiet server may be never. So an idle worker also
// looks at the listener when this long passed without a wake-up: a lost wake-up costs a
// client at most about a second, and an idle pool one cheap wake-up per worker per second.
constexpr int recheck_ms = 1000;

void add(int epfd, int fd, std::uint32_t events) {
    epoll_event ev{};
    ev.events = events;
    ev.data.fd = fd;
    if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl");
}

}  // namespace

ExclusiveAcceptor::ExclusiveAcceptor(int listen_fd, int stop_fd)
    : listen_fd_(listen_fd), stop_fd_(stop_fd), epoll_(::epoll_create1(EPOLL_CLOEXEC)) {
    if (!epoll_) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    add(epoll_.get(), listen_fd, EPOLLIN | EPOLLEXCLUSIVE);
    add(epoll_.get(), stop_fd, EPOLLIN);
}

Accepted ExclusiveAcceptor::accept() {
    for (;;) {
        epoll_event events[2];
        const int n =
            poly::retry_eintr([&] { return ::epoll_wait(epoll_.get(), events, 2, recheck_ms); });
        if (n < 0) {
            spdlog::error("epoll_wait: {}", std::strerror(errno));
            return {};  // cannot wait any more: behave as stopped, the master replaces us
        }
        bool listener_ready = n == 0;  // the periodic look (above); EAGAIN when nobody waits
        for (int i = 0; i < n; ++i) {
            if (events[i].data.fd == stop_fd_) return {};
            listener_ready = true;
        }
        if (!listener_ready) continue;
        Accepted c = accept_once(listen_fd_);
        if (c.fd) return c;
        if (out_of_resources(errno)) {
            // The connection stays queued for another worker; do not spin on it meanwhile.
            constexpr std::chrono::milliseconds pause{50};
            log_accept_pause(errno, pause);
            pollfd p{stop_fd_, POLLIN, 0};
            poly::retry_eintr([&] { return ::poll(&p, 1, static_cast<int>(pause.count())); });
        }
        // EAGAIN: another worker took it first.
    }
}

}  // namespace server
