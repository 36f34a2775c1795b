#include "accept_exclusive.hpp"

#include <poll.h>
#include <sys/epoll.h>

#include <cerrno>
#include <cstring>
#include <system_error>

#include <spdlog/spdlog.h>

#include "accept_once.hpp"
#include "syscall.hpp"

namespace server {
namespace {

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
    bool fd_limit_logged = false;
    for (;;) {
        epoll_event events[2];
        const int n = retry_eintr([&] { return ::epoll_wait(epoll_.get(), events, 2, -1); });
        if (n < 0) {
            spdlog::error("epoll_wait: {}", std::strerror(errno));
            return {};  // cannot wait any more: behave as stopped, the master replaces us
        }
        bool listener_ready = false;
        for (int i = 0; i < n; ++i) {
            if (events[i].data.fd == stop_fd_) return {};
            listener_ready = true;
        }
        if (!listener_ready) continue;
        Accepted c = accept_once(listen_fd_);
        if (c.fd) return c;
        if (out_of_resources(errno)) {
            // The connection stays queued for another worker; do not spin on it meanwhile.
            if (!fd_limit_logged) spdlog::warn("accept: {}; pausing accepts", std::strerror(errno));
            fd_limit_logged = true;
            pollfd p{stop_fd_, POLLIN, 0};
            retry_eintr([&] { return ::poll(&p, 1, 50); });
        }
        // EAGAIN: another worker took it first.
    }
}

}  // namespace server
