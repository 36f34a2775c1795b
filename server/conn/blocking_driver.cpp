#include "server/conn/blocking_driver.hpp"

#include <poll.h>

#include <algorithm>
#include <chrono>
#include <cstring>

#include <spdlog/spdlog.h>

#include "base/syscall.hpp"
#include "server/conn/conn_state.hpp"
#include "server/conn/transfer.hpp"

namespace server {
namespace {

enum class Wait { ready, timeout, stop, cut };

// What a connection waits for besides its socket: the stop (until seen once), the cut, and
// after the stop the drain's own deadline.
struct StopWatch {
    int stop_fd;
    int cut_fd;
    bool own_deadline;  // Drain::own_deadline
    Deadline::clock::time_point drain_end = Deadline::clock::time_point::max();
};

int wait_ms(const Deadline& dl, const StopWatch& sw) {
    const auto now = Deadline::clock::now();
    int ms = dl.remaining_ms(now);
    if (sw.drain_end != Deadline::clock::time_point::max()) {
        const auto left = std::chrono::ceil<std::chrono::milliseconds>(sw.drain_end - now);
        ms = static_cast<int>(std::clamp<long long>(left.count(), 0, ms));
    }
    return ms;
}

Wait wait_socket(int fd, http::Want want, const Deadline& dl, const StopWatch& sw) {
    pollfd fds[3] = {{fd, static_cast<short>(want == http::Want::read ? POLLIN : POLLOUT), 0},
                     {sw.stop_fd, POLLIN, 0},
                     {sw.cut_fd, POLLIN, 0}};  // poll() skips negative descriptors
    const int r = poly::retry_eintr([&] { return ::poll(fds, 3, wait_ms(dl, sw)); });
    // The stop before the cut (a second signal may already be there): an idle connection
    // then closes as stopped, and only a response in flight counts as cut.
    if (fds[1].revents != 0) return Wait::stop;
    if (fds[2].revents != 0) return Wait::cut;
    if (r == 0) return Deadline::clock::now() >= sw.drain_end ? Wait::cut : Wait::timeout;
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

}  // namespace

Served serve_blocking(Accepted conn, const Context& ctx, Drain drain) {
    const std::string_view peer = conn.peer;
    ConnState c(std::move(conn.fd), peer, conn.kind, ctx, Deadline::clock::now());
    const int fd = c.fd.get();
    StopWatch sw{ctx.shutdown.wake_fd(), drain.cut_fd, drain.own_deadline};
    bool cut = false;
    for (http::Want want = c.session.want(); want != http::Want::close; want = c.session.want()) {
        IoResult r;
        if (want == http::Want::read) {
            r = receive_into(fd, c.session);
        } else {
            c.before_write();
            r = send_from(fd, c.session);
        }
        if (r.status == IoStatus::error) {
            spdlog::debug("{}: {}", peer, std::strerror(r.error));
            c.session.abort();
            break;
        }
        if (r.status != IoStatus::would_block) {
            c.deadline.update(c.session.phase(), r.bytes > 0);
            continue;
        }
        switch (wait_socket(fd, want, c.deadline, sw)) {
            case Wait::ready: break;
            case Wait::timeout: c.session.on_timeout(); break;
            case Wait::stop:
                sw.stop_fd = -1;  // the stop pipe stays readable: watch it once
                if (sw.own_deadline)
                    sw.drain_end = Deadline::clock::now() + c.runtime->cfg.shutdown_timeout;
                c.session.shutdown();
                break;
            case Wait::cut:
                cut = true;  // idle connections closed at the stop: this one is mid-exchange
                c.session.abort();
                break;
        }
        c.deadline.update(c.session.phase(), false);
    }
    if (c.session.wants_linger() && !cut) linger_close(c);
    return {c.session.requests_served(), cut};
}

}  // namespace server
