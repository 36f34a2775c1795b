#include "server/conn/blocking_driver.hpp"

#include <poll.h>

#include <cstring>

#include <spdlog/spdlog.h>

#include "base/syscall.hpp"
#include "server/conn/conn_state.hpp"
#include "server/conn/transfer.hpp"

namespace server {
namespace {

enum class Wait { ready, timeout, stop };

Wait wait_socket(int fd, http::Want want, const Deadline& dl, int stop_fd) {
    pollfd fds[2] = {{fd, static_cast<short>(want == http::Want::read ? POLLIN : POLLOUT), 0},
                     {stop_fd, POLLIN, 0}};
    const nfds_t n = stop_fd >= 0 ? 2 : 1;
    const int r = poly::retry_eintr([&] { return ::poll(fds, n, dl.remaining_ms()); });
    if (r == 0) return Wait::timeout;
    if (n == 2 && fds[1].revents != 0) return Wait::stop;
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

std::uint64_t serve_blocking(poly::UniqueFd sock, std::string_view peer, const Context& ctx) {
    ConnState c(std::move(sock), peer, ctx, Deadline::clock::now());
    const int fd = c.fd.get();
    int stop_fd = ctx.shutdown.wake_fd();
    for (http::Want want = c.http.want(); want != http::Want::close; want = c.http.want()) {
        IoResult r;
        if (want == http::Want::read) {
            r = receive_into(fd, c.http);
        } else {
            c.before_write();
            r = send_from(fd, c.http);
        }
        if (r.status == IoStatus::error) {
            spdlog::debug("{}: {}", peer, std::strerror(r.error));
            c.http.abort();
            break;
        }
        if (r.status != IoStatus::would_block) {
            c.deadline.update(c.http.phase(), r.bytes > 0);
            continue;
        }
        switch (wait_socket(fd, want, c.deadline, stop_fd)) {
            case Wait::ready: break;
            case Wait::timeout: c.http.on_timeout(); break;
            case Wait::stop:
                stop_fd = -1;  // the stop pipe stays readable: watch it once
                c.http.shutdown();
                break;
        }
        c.deadline.update(c.http.phase(), false);
    }
    if (c.http.wants_linger()) linger_close(c);
    return c.http.requests_served();
}

}  // namespace server
