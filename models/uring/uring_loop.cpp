#include "models/uring/uring_loop.hpp"

#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

#include "models/uring/uring_server.hpp"
#include "server/loop/run_workers.hpp"
#include "server/sys/accept_once.hpp"
#include "server/sys/listener.hpp"
#include "server/sys/refuse.hpp"

namespace server {
namespace {

using namespace std::chrono_literals;

constexpr unsigned ring_entries = 1024;
// Provided receive buffers per ring, 2 MiB either way, touched only as data arrives. Filled by
// parts (incremental consumption): 32 of 64 KiB, so that a few hundred small requests share one
// buffer. Else one receive per buffer: a request head usually fits 4 KiB; a head spread over
// several is reassembled by http::Connection.
constexpr BufferRing::Shape plain_buffers{512, 4096};
constexpr BufferRing::Shape incremental_buffers{32, 64 * 1024};
// Registered-file slots per ring: one per connection up to this many (and within RLIMIT_NOFILE,
// which bounds the table); connections past it use their plain descriptor.
constexpr unsigned max_file_slots = 16384;

unsigned file_slots(unsigned max_connections) {
    rlimit rl{};
    unsigned slots = std::min(max_file_slots, max_connections);
    if (::getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
        slots = static_cast<unsigned>(std::min<rlim_t>(slots, rl.rlim_cur));
    return slots;
}

constexpr std::uint64_t tag(UringOp op) { return static_cast<std::uint64_t>(op); }
// A multishot accept's user_data: the listener's index above the op bits (no connection).
constexpr std::uint64_t accept_tag(std::size_t listener) {
    return static_cast<std::uint64_t>(listener) << op_bits | tag(UringOp::accept);
}

}  // namespace

UringLoop::UringLoop(LoopShared& shared)
    : shared_(shared),
      ring_(ring_entries),
      buffers_(ring_, plain_buffers, incremental_buffers),
      files_(ring_, file_slots(shared.max_connections)),
      accepting_(shared.ctx.listeners.size(), 0) {}

UringLoop::~UringLoop() = default;

void UringLoop::run() {
    now_ = clock::now();
    arm_accept();
    arm_stop_watch(shared_.ctx.shutdown.wake_fd());
    while (!stopping_ || !conns_.empty()) {
        ring_.submit_and_wait(next_timeout());
        now_ = clock::now();
        ring_.for_each_completion([this](const io_uring_cqe& cqe) { dispatch(cqe); });
        expire_timers();
        if (accept_paused_ && !stopping_ && now_ >= accept_resume_at_) arm_accept();
        if (stopping_ && now_ >= stop_deadline_) break;
    }
    finish_remaining();
}

void UringLoop::dispatch(const io_uring_cqe& cqe) {
    const std::uint64_t data = io_uring_cqe_get_data64(&cqe);
    const auto op = static_cast<UringOp>(data & op_mask);
    if (op == UringOp::accept) {  // its high bits are a listener's index, not a connection
        on_accept(static_cast<std::size_t>(data >> op_bits), cqe);
        return;
    }
    auto* c = reinterpret_cast<UringConn*>(data & ~op_mask);
    if (c != nullptr) {
        on_conn_completion(*c, op, cqe);
        return;
    }
    switch (op) {
        case UringOp::stop:
            // The first completion is the stop; the one armed then, the second signal.
            if (stopping_)
                stop_deadline_ = now_;  // cut now: run() ends this turn
            else
                begin_shutdown();
            break;
        default: break;  // cancellations' own results
    }
}

std::chrono::nanoseconds UringLoop::next_timeout() {
    clock::time_point next = timers_.next_expiry();
    if (accept_paused_ && !stopping_) next = std::min(next, accept_resume_at_);
    if (stopping_) next = std::min(next, stop_deadline_);
    if (next == clock::time_point::max()) return -1ns;
    return std::max<std::chrono::nanoseconds>(next - now_, 0ns);
}

void UringLoop::expire_timers() {
    timers_.expire(now_, [this](TimerNode& t) { on_timeout(*static_cast<UringConn*>(t.owner)); });
}

// One multishot accept on each shared listener per ring. The kernel wakes one waiter per
// connection (accept polls the listener exclusively), so N rings share the queue the way
// EPOLLEXCLUSIVE reactors do, with no SO_REUSEPORT and so also on a socket systemd passed.
// Arms those of the listeners not armed already.
void UringLoop::arm_accept() {
    accept_paused_ = false;
    if (stopping_) return;
    if (shared_.at_capacity()) {
        pause_accepting(now_ + capacity_pause);
        return;
    }
    for (std::size_t i = 0; i < accepting_.size(); ++i) {
        if (accepting_[i] != 0) continue;
        io_uring_sqe* s = ring_.sqe();
        io_uring_prep_multishot_accept(s, shared_.ctx.listeners[i].fd(), nullptr, nullptr,
                                       SOCK_NONBLOCK | SOCK_CLOEXEC);
        io_uring_sqe_set_data64(s, accept_tag(i));
        accepting_[i] = 1;
    }
}

void UringLoop::on_accept(std::size_t listener, const io_uring_cqe& cqe) {
    if (listener >= accepting_.size()) return;  // not ours: cannot happen
    if ((cqe.flags & IORING_CQE_F_MORE) == 0) accepting_[listener] = 0;
    if (cqe.res >= 0) {
        admit(cqe.res, shared_.ctx.listeners[listener].kind());
    } else if (const auto pause = accept_pause_for(-cqe.res); pause.count() > 0) {
        pause_accepting(now_ + pause);
    } else if (cqe.res != -ECANCELED && cqe.res != -ECONNABORTED && cqe.res != -EINTR) {
        spdlog::warn("accept: {}", std::strerror(-cqe.res));
    }
    if (accepting_[listener] == 0 && !accept_paused_ && !stopping_) arm_accept();
}

void UringLoop::admit(int fd, ListenerKind kind) {
    poly::UniqueFd sock(fd);
    if (stopping_) return;
    if (shared_.at_capacity()) {
        // Accepted before the cancel below took effect: this one cannot be held.
        refuse_at_capacity(sock.release());
        return;
    }
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    auto c = std::make_unique<UringConn>(std::move(sock), format_address(&ss), kind, shared_, now_);
    c->index = conns_.size();
    UringConn& ref = *c;
    conns_.push_back(std::move(c));
    if (shared_.at_capacity()) pause_accepting(now_ + capacity_pause);  // the backlog waits
    arm_recv(ref);
    refile_timer(ref);
}

// Every listener's accept: the cap and the descriptors are the server's, not a listener's.
void UringLoop::pause_accepting(clock::time_point until) {
    accept_paused_ = true;
    accept_resume_at_ = until;
    for (std::size_t i = 0; i < accepting_.size(); ++i) {
        if (accepting_[i] == 0) continue;
        cancel(accept_tag(i));
    }
}

// Cancels the operation tagged `user_data`; the cancel's own result is of no interest (the
// operation's completion, -ECANCELED, says what happened).
void UringLoop::cancel(std::uint64_t user_data) {
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_cancel64(s, user_data, 0);
    io_uring_sqe_set_data64(s, tag(UringOp::ignore));
}

// The stop pipes become readable once and stay so: one single-shot poll hears each. The
// urgent one is armed only once the stop came, so completions come in order.
void UringLoop::arm_stop_watch(int fd) {
    if (fd < 0) return;
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_poll_add(s, fd, POLLIN);
    io_uring_sqe_set_data64(s, tag(UringOp::stop));
}

void UringLoop::begin_shutdown() {
    if (stopping_) return;
    stopping_ = true;
    stop_deadline_ = now_ + shared_.ctx.runtime()->cfg.shutdown_timeout;
    arm_stop_watch(shared_.ctx.shutdown.urgent_fd());
    pause_accepting(stop_deadline_);
    // advance() may destroy a connection, which reorders conns_: walk a copy.
    std::vector<UringConn*> all;
    for (auto& c : conns_) all.push_back(c.get());
    for (UringConn* c : all) {
        if (c->linger.active() || c->cancelling) continue;
        c->session.shutdown();  // idle ones close at once; requests in flight finish
        advance(*c);
    }
}

// Past the shutdown deadline (or the loop ended): cancel what is left and wait for the
// cancellations, so no send still reads a buffer that is about to be freed.
void UringLoop::finish_remaining() {
    std::vector<UringConn*> all;
    for (auto& c : conns_) all.push_back(c.get());
    std::size_t cut = 0;
    for (UringConn* c : all) {
        if (c->cancelling) continue;
        cut += c->linger.active() ? 0 : 1;  // a lingering one had its response
        close_conn(*c);
    }
    shared_.ctx.shutdown.count_cut(cut);
    const auto give_up = clock::now() + 500ms;  // within the control thread's drain bound
    while (!conns_.empty() && clock::now() < give_up) {
        ring_.submit_and_wait(100ms);
        ring_.for_each_completion([this](const io_uring_cqe& cqe) { dispatch(cqe); });
    }
    if (!conns_.empty())
        spdlog::error("uring: {} connections did not finish cancelling", conns_.size());
}

std::error_code run_uring_loops(Context& ctx) {
    LoopShared shared(ctx, ctx.runtime()->cfg.max_connections);
    // run_workers builds each loop on its own thread: a ring set up with SINGLE_ISSUER belongs
    // to the thread that created it.
    return run_workers(ctx, ListenerMode::blocking,
                       [&shared] { return std::make_unique<UringLoop>(shared); });
}

}  // namespace server
