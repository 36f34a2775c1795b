// One connection's operations on the ring: the receive, the send chain (a send of head plus
// in-memory body; large files in uring_files.cpp), lingering close and cancellation. advance() is
// the only place that decides what a connection does next, from http::Connection::want(), after
// every completion.
#include <sys/socket.h>
#include <unistd.h>

#include <cstring>
#include <string_view>

#include <spdlog/spdlog.h>

#include "models/uring/uring_loop.hpp"

namespace server {
namespace {

// IORING_CQE_F_BUF_MORE (Linux 6.12, newer than this liburing's headers): the receive filled
// part of an incrementally consumed buffer, and the kernel goes on filling the rest.
constexpr std::uint32_t cqe_buf_more = 1U << 4;

// Large files leave by sendfile unless --uring-files splice: measured, sendfile on the
// non-blocking socket with a POLLOUT poll on the ring took 30-45 % less CPU per byte than the
// splices, whose io-wq hand-offs cost more than the syscalls they save
// (docs/models-uring.md). The splice path stays for kernels and workloads where offloading
// (a cold page cache would block the loop in sendfile) is worth that CPU. Read from the
// connection's Runtime, so a reload applies it to the next connections.
bool splice_files(const UringConn& c) { return c.runtime->cfg.uring_files == "splice"; }

// The send of `out` ends the connection, and nothing else of it is in the ring: the close can
// follow that send in the same submission (link_close). Not when the response may be followed
// by a lingering close, nor for a socket in a registered slot (the slot keeps it open).
bool closes_after(const UringConn& c, const http::Output& out) {
    return !out.more && !c.session.reads_after_response() && !c.session.wants_linger() &&
           !c.recv_armed && c.file_slot < 0;
}

std::uint64_t user_data(UringConn& c, UringOp op) {
    static_assert(alignof(UringConn) > op_mask, "the low bits of a UringConn* carry the operation");
    return reinterpret_cast<std::uint64_t>(&c) | static_cast<std::uint64_t>(op);
}

// Points an SQE prepared on the connection's descriptor at its registered slot, if it has one.
void on_socket(io_uring_sqe* s, const UringConn& c) {
    if (c.file_slot < 0) return;
    s->fd = c.file_slot;
    s->flags |= IOSQE_FIXED_FILE;
}

}  // namespace

// The socket into a registered-file slot, by an SQE linked to the receive armed next: the
// receive and every send then skip the descriptor lookup. install() makes room for both in one
// submission; split by a full queue, the receive ran on a slot still empty, failed with EBADF
// and the socket closed with its request unread (a reset seen under bursts of accepts). Should
// the update fail, the link cancels that receive; on_conn_completion() then drops the slot and
// advance() re-arms the receive on the plain descriptor.
void UringLoop::register_socket(UringConn& c) {
    io_uring_sqe* s = files_.install(c.fd.get(), c.file_slot);
    if (s == nullptr) return;
    s->flags |= IOSQE_IO_LINK;
    track(c, UringOp::install, s);
}

void UringLoop::track(UringConn& c, UringOp op, io_uring_sqe* s) {
    io_uring_sqe_set_data64(s, user_data(c, op));
    ++c.inflight;
}

void UringLoop::on_conn_completion(UringConn& c, UringOp op, const io_uring_cqe& cqe) {
    if (op == UringOp::recv) {
        on_recv(c, cqe);
    } else if (op == UringOp::close) {
        // Cancelled because the send before it failed: the descriptor is still open.
        if (cqe.res == -ECANCELED) ::close(c.closing_fd);
        c.closing_fd = -1;
    } else if (op == UringOp::install) {
        if (cqe.res < 0) {  // the linked receive is cancelled; it is re-armed without the slot
            spdlog::debug("fd {}: registering the socket: {}", c.fd.get(), std::strerror(-cqe.res));
            files_.release(c.file_slot, static_cast<std::uint64_t>(UringOp::ignore));
            c.file_slot = -1;
        }
    } else {
        on_sent(c, op, cqe.res);
    }
    if (op != UringOp::recv || (cqe.flags & IORING_CQE_F_MORE) == 0) --c.inflight;
    if (c.cancelling) {
        if (c.inflight == 0) destroy(c);
        return;
    }
    advance(c);
}

void UringLoop::on_recv(UringConn& c, const io_uring_cqe& cqe) {
    if ((cqe.flags & IORING_CQE_F_MORE) == 0) {
        c.recv_armed = false;
        c.recv_pausing = false;
    }
    if (cqe.res > 0 && (cqe.flags & IORING_CQE_F_BUFFER) != 0) {
        const unsigned id = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
        const auto n = static_cast<std::size_t>(cqe.res);
        if (c.linger.active())
            c.linger.absorb(n);
        else if (!c.cancelling)
            c.session.on_data(buffers_.data(id, n));
        c.progress = true;
        // Its bytes are parsed or copied: the kernel may reuse the space.
        buffers_.consumed(id, n, (cqe.flags & cqe_buf_more) != 0);
        return;
    }
    if (cqe.res == -ENOBUFS || cqe.res == -ECANCELED) return;  // advance() re-arms if needed
    // 0 is the client's FIN; anything else (a reset) ends the input too.
    c.peer_eof = true;
    if (c.linger.active()) c.linger.end();
    if (c.linger.active() || c.cancelling) return;
    if (cqe.res == 0)
        c.session.on_data({});
    else if (c.send_ops == 0)
        c.session.abort();
    else
        kill(c);  // abort() must not close the file a splice still reads
}

// Completions of the send chain: send, splice_in (file -> pipe), splice_out (pipe ->
// socket) and poll_out (waiting for room after a splice found none).
void UringLoop::on_sent(UringConn& c, UringOp op, int res) {
    --c.send_ops;
    if (res == -ECANCELED) return;  // our cancel, or a link broken by a short splice_in
    bool failed = false;
    switch (op) {
        case UringOp::send: failed = res < 0; break;
        case UringOp::splice_in:
            if (res > 0) c.in_pipe += static_cast<std::uint64_t>(res);
            failed = res <= 0;  // 0: the file shrank under us; Content-Length cannot be kept
            break;
        case UringOp::splice_out:
            if (res == -EAGAIN) c.socket_full = true;
            failed = res < 0 && res != -EAGAIN;
            if (res > 0) c.in_pipe -= static_cast<std::uint64_t>(res);
            break;
        case UringOp::poll_out: failed = res < 0; break;
        default: break;
    }
    if (failed) {
        spdlog::debug("fd {}: send: {}", c.fd.get(), std::strerror(-res));
        kill(c);
        return;
    }
    if (res > 0 && (op == UringOp::send || op == UringOp::splice_out)) {
        c.session.on_written(static_cast<std::size_t>(res));
        c.progress = true;
    }
}

void UringLoop::advance(UringConn& c) {
    if (c.cancelling) return;
    if (c.linger.active()) {
        if (c.linger.over())
            kill(c);
        else if (!c.recv_armed)
            arm_recv(c);
        return;
    }
    http::Want want = c.session.want();
    // A send that needs no operation (sendfile_now) may finish a response at once, and a
    // pipelined one may follow: look again until an operation is in flight.
    for (int round = 0; want == http::Want::write && c.send_ops == 0 && round < 64; ++round) {
        start_send(c);
        if (c.cancelling) return;
        want = c.session.want();
    }
    if (want == http::Want::close) {
        if (c.send_ops == 0) close_conn(c);
        return;
    }
    // Receive while reading, and also while writing unless requests are already queued
    // (pipelining): then stop, so a client that never reads cannot make us buffer forever.
    // Not while writing a last response (Connection: close): like the reactors, which read
    // only when reading, so the close needs no cancel.
    const bool take_input = want == http::Want::read ||
                            (!c.session.has_buffered_input() && c.session.reads_after_response());
    if (take_input && !c.recv_armed && !c.peer_eof) arm_recv(c);
    if (!take_input && c.recv_armed) pause_recv(c);
    if (c.deadline.update(c.session.phase(), c.progress, now_) || !c.timer.linked())
        refile_timer(c);
    c.progress = false;
}

// A connection's first receive is single-shot on its plain descriptor: one that sends a
// request and is answered with Connection: close then costs no slot install or release, no
// poll left armed behind the receive and no cancel at its close. One that asks for more
// input has shown it stays: its socket goes into a registered slot and its receive becomes
// multishot, armed once for all its requests.
void UringLoop::arm_recv(UringConn& c) {
    const bool first = c.first_recv;
    c.first_recv = false;
    if (!first && !c.registered && !c.linger.active()) {
        c.registered = true;
        register_socket(c);
    }
    io_uring_sqe* s = ring_.sqe();
    if (first)
        io_uring_prep_recv(s, c.fd.get(), nullptr, 0, 0);
    else
        io_uring_prep_recv_multishot(s, c.fd.get(), nullptr, 0, 0);
    on_socket(s, c);
    s->flags |= IOSQE_BUFFER_SELECT;
    s->buf_group = BufferRing::group;
    track(c, UringOp::recv, s);
    c.recv_armed = true;
}

void UringLoop::pause_recv(UringConn& c) {
    if (c.recv_pausing) return;
    cancel(user_data(c, UringOp::recv));
    c.recv_pausing = true;
}

// Head and in-memory body leave in one send: joined by http::Connection when the body is
// small, else as the Output's tail in one sendmsg; MSG_MORE when a file follows, so the head
// waits for the first body bytes instead of leaving alone.
void UringLoop::start_send(UringConn& c) {
    const http::Output out = c.session.next_output();
    if (out.empty()) return;
    if (out.is_file()) {
        if (splice_files(c))
            start_file_send(c, out);
        else
            sendfile_now(c);
        return;
    }
    c.before_write();
    const bool last = closes_after(c, out);
    if (last) ring_.reserve(2);  // the send and its linked close in one submission
    io_uring_sqe* s = ring_.sqe();
    // MSG_WAITALL: a short send is carried on by the kernel, so the close linked after it
    // cannot cut the response; only an error breaks the link.
    const int flags = MSG_NOSIGNAL | (out.more ? MSG_MORE : 0) | (last ? MSG_WAITALL : 0);
    if (out.tail.empty()) {
        io_uring_prep_send(s, c.fd.get(), out.bytes.data(), out.bytes.size(), flags);
    } else {  // head and in-memory body, no copy between them
        if (!c.two_spans) c.two_spans = std::make_unique<UringConn::TwoSpans>();
        UringConn::TwoSpans& t = *c.two_spans;
        t.iov[0] = {const_cast<std::byte*>(out.bytes.data()), out.bytes.size()};
        t.iov[1] = {const_cast<std::byte*>(out.tail.data()), out.tail.size()};
        t.msg.msg_iov = t.iov;
        t.msg.msg_iovlen = 2;
        io_uring_prep_sendmsg(s, c.fd.get(), &t.msg, static_cast<unsigned>(flags));
    }
    on_socket(s, c);
    track(c, UringOp::send, s);
    c.send_ops = 1;
    if (last) link_close(c, s);
}

// A Connection: close exchange ends with send -> close linked in the ring: the FIN leaves in
// the same io_uring_enter as the response, as a reactor's close() right after its send, and
// the loop saves the close system call. The descriptor belongs to the ring from here; should
// the send fail, the close completes with -ECANCELED and on_conn_completion() closes it.
void UringLoop::link_close(UringConn& c, io_uring_sqe* send) {
    send->flags |= IOSQE_IO_LINK;
    io_uring_sqe* s = ring_.sqe();
    c.closing_fd = c.fd.release();
    io_uring_prep_close(s, c.closing_fd);
    track(c, UringOp::close, s);
}

void UringLoop::on_timeout(UringConn& c) {
    if (c.cancelling) return;
    if (c.linger.active() || c.send_ops > 0) {
        kill(c);  // a send timeout, or the end of the linger window
        return;
    }
    c.session.on_timeout();  // 408 for a partial head, else close
    advance(c);
}

void UringLoop::close_conn(UringConn& c) {
    if (c.session.wants_linger() && !c.linger.active() && !c.peer_eof) {
        start_linger(c);
        return;
    }
    kill(c);
}

// Lingering close (server/conn/linger.hpp): half-closed, the multishot receive discards what
// still arrives until the client's FIN, the byte cap or the window's end (TimerKind::linger).
void UringLoop::start_linger(UringConn& c) {
    c.linger.start(c.fd.get(), now_);
    timers_.file(c.timer, TimerKind::linger, c.linger.until());
    if (!c.recv_armed) arm_recv(c);
}

// Cancels everything the connection has in flight; it is freed when the last completion
// arrives (a completion must never find freed memory, nor a send read a freed buffer).
void UringLoop::kill(UringConn& c) {
    if (c.cancelling) return;
    c.cancelling = true;
    Timers::cancel(c.timer);
    if (c.inflight == 0) {
        destroy(c);
        return;
    }
    for (const int fd : {c.fd.get(), c.pipe_w.get()}) {
        if (fd < 0) continue;
        io_uring_sqe* s = ring_.sqe();
        io_uring_prep_cancel_fd(s, fd, IORING_ASYNC_CANCEL_ALL);
        io_uring_sqe_set_data64(s, static_cast<std::uint64_t>(UringOp::ignore));
    }
    // By its tag: the descriptor may be closed already.
    if (c.closing_fd >= 0 && c.send_ops > 0) cancel(user_data(c, UringOp::send));
}

void UringLoop::destroy(UringConn& c) {
    Timers::cancel(c.timer);
    // Queued before the descriptor closes below; the socket is gone once both have happened.
    files_.release(c.file_slot, static_cast<std::uint64_t>(UringOp::ignore));
    const std::size_t i = c.index;
    if (i + 1 != conns_.size()) {
        std::swap(conns_[i], conns_.back());
        conns_[i]->index = i;
    }
    conns_.pop_back();  // closes the socket, frees the slot; logs an unfinished exchange
}

void UringLoop::refile_timer(UringConn& c) {
    timers_.file(c.timer, c.deadline.kind(), c.deadline.at());
}

}  // namespace server
