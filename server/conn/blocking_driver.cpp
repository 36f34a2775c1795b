#include "server/conn/blocking_driver.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <system_error>

#include <spdlog/spdlog.h>

#include "base/syscall.hpp"
#include "server/conn/conn_state.hpp"
#include "server/conn/transfer.hpp"

namespace server {
namespace {

enum class Wait { ready, timeout, stop, retire, cut, saturated };

using clock = Deadline::clock;

// The saturation rule (Hooks::saturated_fd, SaturationTokens) for one connection: the fd is watched
// only once the connection has been idle for saturated_keepalive, and until then the wait ends at
// that moment, so a level-triggered fd never makes a younger idle connection spin.
class SaturationWatch {
public:
    explicit SaturationWatch(int fd) : fd_(fd) {}
    void track(http::Phase phase, clock::time_point now) {
        if (phase != http::Phase::idle) {
            idle_since_ = never;
        } else if (idle_since_ == never) {
            idle_since_ = now;
        }
    }
    [[nodiscard]] int fd(clock::time_point now) const {
        return fd_ >= 0 && idle_since_ != never && now - idle_since_ >= saturated_keepalive ? fd_
                                                                                            : -1;
    }
    // The wait's bound from the rule: until the fd is watched; -1 when there is none.
    [[nodiscard]] long long cap_ms(clock::time_point now) const {
        if (fd_ < 0 || idle_since_ == never || fd(now) >= 0) return -1;
        return std::chrono::ceil<std::chrono::milliseconds>(idle_since_ + saturated_keepalive - now)
            .count();
    }

private:
    static constexpr clock::time_point never = clock::time_point::max();
    int fd_;
    clock::time_point idle_since_ = never;  // never: not idle between requests
};

// What a connection waits for besides its socket: the stop and the retire order (each until
// seen once), the cut, and after the stop the drain's own deadline.
struct StopWatch {
    int stop_fd;
    int cut_fd;
    bool own_deadline;  // Drain::own_deadline
    int retire_fd;
    Deadline::clock::time_point drain_end = Deadline::clock::time_point::max();
};

int wait_ms(const Deadline& dl, const StopWatch& sw, const SaturationWatch& sat,
            clock::time_point now) {
    int ms = dl.remaining_ms(now);
    if (const long long cap = sat.cap_ms(now); cap >= 0)
        ms = static_cast<int>(std::min<long long>(cap, ms));
    if (sw.drain_end != Deadline::clock::time_point::max()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(sw.drain_end - now);
        ms = static_cast<int>(std::clamp<long long>(left.count(), 0, ms));
    }
    return ms;
}

Wait wait_socket(int fd, http::Want want, const Deadline& dl, const StopWatch& sw,
                 const SaturationWatch& sat) {
    const auto now = clock::now();
    pollfd fds[5] = {{fd, static_cast<short>(want == http::Want::read ? POLLIN : POLLOUT), 0},
                     {sw.stop_fd, POLLIN, 0},
                     {sw.cut_fd, POLLIN, 0},  // poll() skips negative descriptors
                     {sat.fd(now), POLLIN, 0},
                     {sw.retire_fd, POLLIN, 0}};
    const int r = poly::retry_eintr([&] { return ::poll(fds, 5, wait_ms(dl, sw, sat, now)); });
    // The stop before the cut (a second signal may already be there): an idle connection
    // then closes as stopped, and only a response in flight counts as cut.
    if (fds[1].revents != 0) return Wait::stop;
    if (fds[2].revents != 0) return Wait::cut;
    if (fds[4].revents != 0) return Wait::retire;
    if (fds[0].revents == 0 && fds[3].revents != 0) {
        // Readable: tokens were offered; another idle connection may take the last one first.
        std::uint64_t token = 0;
        if (::read(fds[3].fd, &token, sizeof token) == static_cast<ssize_t>(sizeof token))
            return Wait::saturated;
        return Wait::ready;  // none left: the socket is tried and waited on again
    }
    if (r == 0) {
        const auto end = clock::now();
        if (end >= sw.drain_end) return Wait::cut;
        // The saturation rule's bound (not the deadline) may have ended the wait: look again.
        return dl.expired(end) ? Wait::timeout : Wait::ready;
    }
    return Wait::ready;  // readiness, or an error/hang-up the next syscall will report
}

// Lingering close (server/conn/linger.hpp): drain what is there, then wait in poll() for more
// until the window ends.
void linger_close(ConnState& c) {
    std::byte sink[4096];
    c.linger.start(c.fd.get(), Deadline::clock::now());
    while (c.linger.drain(c.fd.get(), sink)) {
        pollfd p{c.fd.get(), POLLIN, 0};
        const int wait = c.linger.remaining_ms(Deadline::clock::now());
        if (wait == 0 || poly::retry_eintr([&] { return ::poll(&p, 1, wait); }) <= 0) return;
    }
}

// Tells the observer of a phase change; returns the phase now.
http::Phase report_phase(ConnObserver* obs, const ConnState& c, http::Phase last) {
    const http::Phase now = c.session.phase();
    if (obs != nullptr && now != last) obs->on_phase(now, c.session.requests_served());
    return now;
}

}  // namespace

SaturationTokens::SaturationTokens()
    : fd_(::eventfd(0, EFD_SEMAPHORE | EFD_NONBLOCK | EFD_CLOEXEC)) {
    if (!fd_) throw std::system_error(errno, std::generic_category(), "eventfd");
}

void SaturationTokens::offer(std::uint64_t n) noexcept {
    if (n == 0 && offered_ == 0) return;  // the usual case: no syscall
    std::uint64_t v = 0, left = 0;
    // A semaphore read takes one token: as many reads as tokens are left, at most the last offer.
    while (::read(fd_.get(), &v, sizeof v) == static_cast<ssize_t>(sizeof v)) ++left;
    // A token taken since the last offer frees its worker within moments, and the client it
    // makes room for may still be counted in the queue: it is not offered a second token.
    const std::uint64_t taken = offered_ > left ? offered_ - left : 0;
    offered_ = n > taken ? n - taken : 0;
    if (offered_ != 0) {
        [[maybe_unused]] const auto w = ::write(fd_.get(), &offered_, sizeof offered_);
    }
}

std::uint64_t queued_clients(const ListenerSet& listeners) noexcept {
    std::uint64_t n = 0;
    for (const Listener& l : listeners) {
        tcp_info info{};
        socklen_t len = sizeof info;
        if (::getsockopt(l.fd(), IPPROTO_TCP, TCP_INFO, &info, &len) == 0 &&
            info.tcpi_state == TCP_LISTEN) {
            n += info.tcpi_unacked;
            continue;
        }
        pollfd p{l.fd(), POLLIN, 0};
        if (poly::retry_eintr([&] { return ::poll(&p, 1, 0); }) > 0) ++n;
    }
    return n;
}

Served serve_blocking(Accepted conn, const Context& ctx, Drain drain, Hooks hooks) {
    const std::string_view peer = conn.peer;
    ConnState c(std::move(conn.fd), peer, conn.kind, ctx, clock::now());
    const int fd = c.fd.get();
    StopWatch sw{ctx.shutdown.wake_fd(), drain.cut_fd, drain.own_deadline, drain.retire_fd};
    SaturationWatch sat(hooks.saturated_fd);
    http::Phase phase = c.session.phase();
    if (hooks.observer != nullptr) hooks.observer->on_phase(phase, 0);
    bool cut = false;
    for (http::Want want = c.session.want(); want != http::Want::close; want = c.session.want()) {
        IoResult r;
        if (want == http::Want::read) {
            r = receive_into(fd, c.session);
        } else {
            c.before_write();
            r = send_from(fd, c.session);
        }
        const http::Phase before = phase;
        phase = report_phase(hooks.observer, c, phase);
        // Every change, not only at a wait: a busy client's next request often arrives with no
        // wait in between, and the idle time must restart with each response all the same.
        if (phase != before && hooks.saturated_fd >= 0) sat.track(phase, clock::now());
        if (r.status == IoStatus::error) {
            spdlog::debug("{}: {}", peer, std::strerror(r.error));
            c.session.abort();
            break;
        }
        if (r.status != IoStatus::would_block) {
            c.deadline.update(c.session.phase(), r.bytes > 0);
            continue;
        }
        sat.track(phase, clock::now());
        switch (wait_socket(fd, want, c.deadline, sw, sat)) {
            case Wait::ready: break;
            case Wait::timeout:
            case Wait::saturated: c.session.on_timeout(); break;  // idle: closes quietly
            case Wait::stop:
                sw.stop_fd = -1;  // the stop pipe stays readable: watch it once
                if (sw.own_deadline) sw.drain_end = clock::now() + c.runtime->cfg.shutdown_timeout;
                c.session.shutdown();
                break;
            case Wait::retire:
                sw.retire_fd = -1;  // likewise
                c.session.retire();
                break;
            case Wait::cut:
                cut = true;  // idle connections closed at the stop: this one is mid-exchange
                c.session.abort();
                break;
        }
        c.deadline.update(c.session.phase(), false);
    }
    if (hooks.observer != nullptr) hooks.observer->on_closing();
    if (c.session.wants_linger() && !cut) linger_close(c);
    return {c.session.requests_served(), cut};
}

}  // namespace server
