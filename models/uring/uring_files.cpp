// A uring connection's large-file responses: sendfile on the socket with a POLLOUT poll on
// the ring (the default), or file -> pipe -> socket splices (--uring-files splice).
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

#include "models/uring/uring_loop.hpp"
#include "server/conn/transfer.hpp"

namespace server {
namespace {

// A large file moves through the pipe in chunks of its capacity. 1 MiB (pipe-max-size's
// default) means one splice pair per MiB; an unprivileged process past its pipe-page quota
// gets less, which only costs more rounds.
constexpr int pipe_capacity = 1 << 20;

}  // namespace

// Large files with --uring-files splice: splice file -> pipe, linked to splice
// pipe -> socket, both without a copy through user space and off the loop's thread. The socket is
// non-blocking, so a splice that finds it full returns EAGAIN (splices run on io-wq threads, which
// must never sleep on one client); the loop then polls for POLLOUT on the ring and splices what is
// still in the pipe.
void UringLoop::start_file_send(UringConn& c, const http::Output& out) {
    if (!c.pipe_w && !open_pipe(c)) {
        kill(c);
        return;
    }
    c.before_write();  // one per operation chain that writes to the socket
    const unsigned more = out.more ? SPLICE_F_MORE : 0;
    if (c.in_pipe > 0) {
        io_uring_sqe* s = ring_.sqe();
        if (c.socket_full) {
            io_uring_prep_poll_add(s, c.fd.get(), POLLOUT);
            track(c, UringOp::poll_out, s);
            c.socket_full = false;
        } else {
            const auto len = static_cast<unsigned>(c.in_pipe);
            io_uring_prep_splice(s, c.pipe_r.get(), -1, c.fd.get(), -1, len,
                                 len < out.file_length ? SPLICE_F_MORE : more);
            track(c, UringOp::splice_out, s);
        }
        c.send_ops = 1;
        return;
    }
    const auto len = static_cast<unsigned>(std::min<std::uint64_t>(out.file_length, c.pipe_size));
    ring_.reserve(2);  // the linked pair in one submission, or splice_out runs first
    io_uring_sqe* in = ring_.sqe();
    io_uring_prep_splice(in, out.file_fd, static_cast<std::int64_t>(out.file_offset),
                         c.pipe_w.get(), -1, len, 0);
    in->flags |= IOSQE_IO_LINK;
    track(c, UringOp::splice_in, in);
    io_uring_sqe* to_socket = ring_.sqe();
    io_uring_prep_splice(to_socket, c.pipe_r.get(), -1, c.fd.get(), -1, len,
                         len < out.file_length ? SPLICE_F_MORE : more);
    track(c, UringOp::splice_out, to_socket);
    c.send_ops = 2;
}

// Large files by default: sendfile() on the non-blocking socket right away (page cache to
// socket, no copy, no io-wq thread), and a POLLOUT poll on the ring when the socket is full;
// the poll's completion continues the transfer.
void UringLoop::sendfile_now(UringConn& c) {
    constexpr int chunks_per_turn = 8;  // 8 MiB at most, then the others get their turn
    for (int i = 0; i < chunks_per_turn && c.session.next_output().is_file(); ++i) {
        c.before_write();
        const IoResult r = send_from(c.fd.get(), c.session);
        if (r.status == IoStatus::error) {
            kill(c);
            return;
        }
        if (r.status == IoStatus::would_block) break;
        c.progress = true;
    }
    if (c.session.want() != http::Want::write) return;  // advance() continues with what follows
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_poll_add(s, c.fd.get(), POLLOUT);
    track(c, UringOp::poll_out, s);
    c.send_ops = 1;
}

bool UringLoop::open_pipe(UringConn& c) {
    int p[2];
    if (::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0) {
        spdlog::warn("pipe2: {}", std::strerror(errno));
        return false;
    }
    c.pipe_r.reset(p[0]);
    c.pipe_w.reset(p[1]);
    const int size = ::fcntl(p[1], F_SETPIPE_SZ, pipe_capacity);
    c.pipe_size = static_cast<std::size_t>(size > 0 ? size : ::fcntl(p[1], F_GETPIPE_SZ));
    return true;
}

}  // namespace server
