#include "models/prefork/accept_exclusive.hpp"

#include <poll.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
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
// looks at the listeners when this long passed without a wake-up: a lost wake-up costs a
// client at most about a second, and an idle pool one cheap wake-up per worker per second.
constexpr int recheck_ms = 1000;

// epoll_event.data of the stop and retire fds; a listener's is its index in the set.
constexpr std::uint64_t stop_tag = std::numeric_limits<std::uint64_t>::max();

void add(int epfd, int fd, std::uint32_t events, std::uint64_t tag) {
    epoll_event ev{};
    ev.events = events;
    ev.data.u64 = tag;
    if (::epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev) != 0)
        throw std::system_error(errno, std::generic_category(), "epoll_ctl");
}

}  // namespace

ExclusiveAcceptor::ExclusiveAcceptor(const ListenerSet& listeners, int stop_fd, int retire_fd)
    : listeners_(listeners),
      stop_fd_(stop_fd),
      epoll_(::epoll_create1(EPOLL_CLOEXEC)),
      events_(listeners.size() + 2),
      ready_(listeners.size()) {
    if (!epoll_) throw std::system_error(errno, std::generic_category(), "epoll_create1");
    for (std::size_t i = 0; i < listeners.size(); ++i)
        add(epoll_.get(), listeners[i].fd(), EPOLLIN | EPOLLEXCLUSIVE, i);
    add(epoll_.get(), stop_fd, EPOLLIN, stop_tag);
    if (retire_fd >= 0) add(epoll_.get(), retire_fd, EPOLLIN, stop_tag);
}

Accepted ExclusiveAcceptor::accept() {
    for (;;) {
        const int n = poly::retry_eintr([&] {
            return ::epoll_wait(epoll_.get(), events_.data(), static_cast<int>(events_.size()),
                                recheck_ms);
        });
        if (n < 0) {
            spdlog::error("epoll_wait: {}", std::strerror(errno));
            return {};  // cannot wait any more: behave as stopped, the master replaces us
        }
        // The periodic look (above) tries every listener: EAGAIN where nobody waits.
        std::fill(ready_.begin(), ready_.end(), n == 0 ? 1 : 0);
        for (int i = 0; i < n; ++i) {
            const std::uint64_t tag = events_[static_cast<std::size_t>(i)].data.u64;
            if (tag == stop_tag) return {};
            ready_[tag] = 1;
        }
        if (Accepted c = accept_ready(); c.fd) return c;
    }
}

Accepted ExclusiveAcceptor::accept_ready() {
    const std::size_t count = listeners_.size();
    for (std::size_t k = 0; k < count; ++k) {
        const std::size_t i = (next_ + k) % count;
        if (ready_[i] == 0) continue;
        Accepted c = accept_once(listeners_[i]);
        if (c.fd) {
            next_ = i + 1;
            return c;
        }
        if (out_of_resources(errno)) {
            // The connection stays queued for another worker; do not spin on it meanwhile.
            // Out of descriptors is the process's state: every listener waits.
            constexpr std::chrono::milliseconds pause{50};
            log_accept_pause(errno, pause);
            pollfd p{stop_fd_, POLLIN, 0};
            poly::retry_eintr([&] { return ::poll(&p, 1, static_cast<int>(pause.count())); });
            return {};
        }
        // EAGAIN: another worker took it first.
    }
    return {};
}

}  // namespace server
