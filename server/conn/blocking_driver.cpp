#include "server/conn/blocking_driver.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <spdlog/spdlog.h>

#include "base/syscall.hpp"
#include "server/conn/deadline.hpp"
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

// After answering with a close that may leave request bytes unread (an error, a body we
// refused), closing at once would make the kernel send RST and could destroy the response
// before the client reads it. Half-close, then drain briefly, like nginx's lingering close.
void linger_close(int fd) {
    ::shutdown(fd, SHUT_WR);
    char sink[4096];
    std::size_t drained = 0;
    for (int round = 0; round < 10 && drained < (256u << 10); ++round) {
        pollfd p{fd, POLLIN, 0};
        if (poly::retry_eintr([&] { return ::poll(&p, 1, 50); }) <= 0) return;
        const ssize_t n = poly::retry_eintr([&] { return ::recv(fd, sink, sizeof sink, 0); });
        if (n <= 0) return;
        drained += static_cast<std::size_t>(n);
    }
}

}  // namespace

std::uint64_t serve_blocking(poly::UniqueFd sock, std::string_view peer, const Context& ctx) {
    const std::shared_ptr<const Runtime> rt = ctx.runtime();
    const ConnectionCount counted(ctx.stats);
    ExchangeLog log(ctx.access_log, ctx.stats, peer);
    http::Connection conn(rt->handler, rt->limits, &log);
    Deadline deadline(rt->timeouts);
    int stop_fd = ctx.shutdown.wake_fd();
    for (http::Want want = conn.want(); want != http::Want::close; want = conn.want()) {
        const IoResult r = want == http::Want::read ? receive_into(sock.get(), conn)
                                                    : send_from(sock.get(), conn);
        if (r.status == IoStatus::error) {
            spdlog::debug("{}: {}", peer, std::strerror(r.error));
            conn.abort();
            break;
        }
        if (r.status != IoStatus::would_block) {
            deadline.update(conn.phase(), r.bytes > 0);
            continue;
        }
        switch (wait_socket(sock.get(), want, deadline, stop_fd)) {
            case Wait::ready: break;
            case Wait::timeout: conn.on_timeout(); break;
            case Wait::stop:
                stop_fd = -1;  // the stop pipe stays readable: watch it once
                conn.shutdown();
                break;
        }
        deadline.update(conn.phase(), false);
    }
    if (conn.wants_linger()) linger_close(sock.get());
    return conn.requests_served();
}

}  // namespace server
