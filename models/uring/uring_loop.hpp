// Private to uring_*.cpp: one UringLoop = one thread's ring and the connections it serves.
// Everything here runs on that thread only; the only cross-thread state is LoopShared.
//
// Completion, not readiness: instead of asking "may I recv?" the loop asks the kernel to
// recv (or send, splice, accept) and is told when it is done. Per connection there is at most
// one receive (single-shot the first time, then multishot: armed once, it posts a completion
// per arrival into a provided buffer), and at most one send chain (a send; for large files
// sendfile plus a POLLOUT poll, or file -> pipe -> socket splices with --uring-files splice).
// An SQE's user_data is the connection's address with the operation in its low bits; a
// connection is destroyed only once no operation of it is in flight, so no completion ever
// names freed memory.
#pragma once

#include <sys/socket.h>
#include <sys/uio.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <string_view>
#include <vector>

#include "base/unique_fd.hpp"
#include "models/uring/uring_ring.hpp"
#include "server/conn/conn_state.hpp"
#include "server/loop/loop_shared.hpp"
#include "server/loop/timers.hpp"

namespace server {

// What a completion is about: the low op_bits bits of user_data.
inline constexpr unsigned op_bits = 4;
inline constexpr std::size_t op_align = std::size_t{1} << op_bits;
inline constexpr std::uint64_t op_mask = op_align - 1;
enum class UringOp : std::uint64_t {
    recv = 0,
    send = 1,
    splice_in = 2,
    splice_out = 3,
    poll_out = 4,
    accept = 5,
    stop = 6,
    ignore = 7,   // loop-level: no connection pointer
    install = 8,  // the socket put in its registered-file slot (FileTable)
    close = 9,    // the socket closed by the ring, linked to a last response's send
};

// Aligned so that the low op_bits bits of its address are free for the operation.
struct alignas(op_align) UringConn : ConnState {
    UringConn(poly::UniqueFd s, std::string_view peer, ListenerKind kind, LoopShared& shared,
              std::chrono::steady_clock::time_point now)
        : ConnState(std::move(s), peer, kind, shared.ctx, now), slot(shared) {
        timer.owner = this;
    }

    LoopShared::Slot slot;
    TimerNode timer;
    std::size_t index = 0;    // in UringLoop::conns_
    int file_slot = -1;       // its registered-file slot (FileTable), or -1: the plain descriptor
    bool first_recv = true;   // the next receive is its first (single-shot, see arm_recv)
    bool registered = false;  // register_socket() ran (its install may have failed)

    int inflight = 0;           // operations whose last completion has not arrived
    bool recv_armed = false;    // the multishot receive is live
    int send_ops = 0;           // operations of the current send chain in flight
    bool progress = false;      // bytes moved since the deadline was last updated
    bool cancelling = false;    // closing: every operation cancelled; freed at inflight 0
    bool recv_pausing = false;  // its cancel was sent (pipelining back-pressure)
    bool peer_eof = false;      // the client's FIN arrived: nothing more to receive
    // The descriptor handed to an IORING_OP_CLOSE linked to the last send (fd is then empty),
    // until that close completes; -1 otherwise.
    int closing_fd = -1;

    // Large files: file -> pipe -> socket. in_pipe bytes were read from the file into the
    // pipe but have not reached the socket yet.
    poly::UniqueFd pipe_r, pipe_w;
    std::size_t pipe_size = 0;
    std::uint64_t in_pipe = 0;
    bool socket_full = false;  // the last splice to the socket found no room: poll first

    // A head with an in-memory body behind it (http::Output::tail) leaves in one sendmsg,
    // whose header and iovecs must stay put until the operation completes. Made on the first
    // such response only, so a connection that never sends one pays a pointer.
    struct TwoSpans {
        msghdr msg{};
        iovec iov[2]{};
    };
    std::unique_ptr<TwoSpans> two_spans;
};

class UringLoop {
public:
    using clock = std::chrono::steady_clock;

    explicit UringLoop(LoopShared& shared);  // throws std::system_error
    ~UringLoop();
    UringLoop(const UringLoop&) = delete;
    UringLoop& operator=(const UringLoop&) = delete;

    void run();

private:
    // uring_loop.cpp: the loop, accepting, timers, shutdown
    void dispatch(const io_uring_cqe& cqe);
    std::chrono::nanoseconds next_timeout();
    void expire_timers();
    void arm_accept();
    void on_accept(std::size_t listener, const io_uring_cqe& cqe);
    void admit(int fd, ListenerKind kind);
    void pause_accepting(clock::time_point until);
    void cancel(std::uint64_t user_data);
    void arm_stop_watch(int fd);
    void begin_shutdown();
    void finish_remaining();

    // uring_conn.cpp: one connection's operations
    void on_conn_completion(UringConn& c, UringOp op, const io_uring_cqe& cqe);
    void on_recv(UringConn& c, const io_uring_cqe& cqe);
    void on_sent(UringConn& c, UringOp op, int res);
    void advance(UringConn& c);
    void arm_recv(UringConn& c);
    void pause_recv(UringConn& c);
    void start_send(UringConn& c);
    void link_close(UringConn& c, io_uring_sqe* send);
    void on_timeout(UringConn& c);
    void close_conn(UringConn& c);
    void start_linger(UringConn& c);
    void kill(UringConn& c);
    void destroy(UringConn& c);
    void refile_timer(UringConn& c);
    void track(UringConn& c, UringOp op, io_uring_sqe* s);
    void register_socket(UringConn& c);

    // uring_files.cpp: large files
    void start_file_send(UringConn& c, const http::Output& out);
    void sendfile_now(UringConn& c);
    bool open_pipe(UringConn& c);

    LoopShared& shared_;
    Ring ring_;
    BufferRing buffers_;
    FileTable files_;
    std::vector<std::unique_ptr<UringConn>> conns_;  // unordered; UringConn::index is the slot
    Timers timers_;
    clock::time_point now_{};

    // By listener (ctx.listeners' order): its multishot accept is armed. Not vector<bool>:
    // one byte each, plain reads.
    std::vector<char> accepting_;
    bool accept_paused_ = false;
    clock::time_point accept_resume_at_{};
    bool stopping_ = false;
    clock::time_point stop_deadline_{};
};

}  // namespace server
