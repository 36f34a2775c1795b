#include "models/uring/uring_loop.hpp"

#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cstring>
#include <latch>
#include <thread>

#include <spdlog/spdlog.h>

#include "server/sys/accept_once.hpp"
#include "server/sys/listener.hpp"
#include "server/sys/refuse.hpp"
#include "server/sys/socket_options.hpp"
#include "models/uring/uring_server.hpp"

namespace server {
namespace {

using namespace std::chrono_literals;

constexpr unsigned ring_entries = 1024;
// Provided receive buffers per ring: a request head usually fits one; a head spread over
// several is reassembled by http::Connection. 2 MiB per ring, touched only as data arrives.
constexpr unsigned buffer_count = 512;
constexpr std::size_t buffer_size = 4096;

constexpr std::uint64_t tag(UringOp op) { return static_cast<std::uint64_t>(op); }

}  // namespace

UringLoop::UringLoop(UringShared& shared)
    : shared_(shared), ring_(ring_entries), buffers_(ring_, buffer_count, buffer_size) {}

UringLoop::~UringLoop() = default;

void UringLoop::run() {
    now_ = clock::now();
    arm_accept();
    arm_stop_watch();
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
    const auto op = static_cast<UringOp>(data & 7);
    auto* c = reinterpret_cast<UringConn*>(data & ~std::uint64_t{7});
    if (c != nullptr) {
        on_conn_completion(*c, op, cqe);
        return;
    }
    switch (op) {
        case UringOp::accept: on_accept(cqe); break;
        case UringOp::stop: begin_shutdown(); break;
        default: break;  // cancellations' own results
    }
}

std::chrono::nanoseconds UringLoop::next_timeout() {
    clock::time_point next = clock::time_point::max();
    for (TimerList& list : timers_)
        if (const TimerNode* t = list.front()) next = std::min(next, t->at);
    if (accept_paused_ && !stopping_) next = std::min(next, accept_resume_at_);
    if (stopping_) next = std::min(next, stop_deadline_);
    if (next == clock::time_point::max()) return -1ns;
    return std::max<std::chrono::nanoseconds>(next - now_, 0ns);
}

void UringLoop::expire_timers() {
    for (TimerList& list : timers_) {
        while (TimerNode* t = list.front()) {
            if (t->at > now_) break;
            TimerList::unlink(*t);
            on_timeout(*static_cast<UringConn*>(t->owner));
        }
    }
}

// One multishot accept on the shared listener per ring. The kernel wakes one waiter per
// connection (accept polls the listener exclusively), so N rings share the queue the way
// EPOLLEXCLUSIVE reactors do, with no SO_REUSEPORT and so also on a socket systemd passed.
void UringLoop::arm_accept() {
    accept_paused_ = false;
    if (accepting_ || stopping_) return;
    if (shared_.open_connections.load(std::memory_order_relaxed) >= shared_.max_connections) {
        pause_accepting(now_ + 10ms);
        return;
    }
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_multishot_accept(s, shared_.ctx.listener.fd(), nullptr, nullptr,
                                   SOCK_NONBLOCK | SOCK_CLOEXEC);
    io_uring_sqe_set_data64(s, tag(UringOp::accept));
    accepting_ = true;
}

void UringLoop::on_accept(const io_uring_cqe& cqe) {
    if ((cqe.flags & IORING_CQE_F_MORE) == 0) accepting_ = false;
    if (cqe.res >= 0) {
        admit(cqe.res);
    } else if (out_of_resources(-cqe.res)) {
        log_accept_pause(-cqe.res, event_loop_resource_pause);
        pause_accepting(now_ + event_loop_resource_pause);
    } else if (cqe.res != -ECANCELED && cqe.res != -ECONNABORTED && cqe.res != -EINTR) {
        spdlog::warn("accept: {}", std::strerror(-cqe.res));
    }
    if (!accepting_ && !accept_paused_ && !stopping_) arm_accept();
}

void UringLoop::admit(int fd) {
    poly::UniqueFd sock(fd);
    if (stopping_) return;
    if (shared_.open_connections.load(std::memory_order_relaxed) >= shared_.max_connections) {
        // Accepted before the cancel below took effect: this one cannot be held.
        refuse_at_capacity(sock.release());
        return;
    }
    set_nodelay(fd);
    sockaddr_storage ss{};
    socklen_t len = sizeof ss;
    ::getpeername(fd, reinterpret_cast<sockaddr*>(&ss), &len);
    auto c = std::make_unique<UringConn>(std::move(sock), format_address(&ss), shared_.ctx, now_);
    c->index = conns_.size();
    UringConn& ref = *c;
    conns_.push_back(std::move(c));
    if (shared_.open_connections.fetch_add(1, std::memory_order_relaxed) + 1 >= shared_.max_connections)
        pause_accepting(now_ + 10ms);  // at the cap: the next clients wait in the backlog
    arm_recv(ref);
    refile_timer(ref);
}

void UringLoop::pause_accepting(clock::time_point until) {
    accept_paused_ = true;
    accept_resume_at_ = until;
    if (!accepting_) return;
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_cancel64(s, tag(UringOp::accept), 0);
    io_uring_sqe_set_data64(s, tag(UringOp::ignore));
}

// The stop pipe becomes readable once and stays so: one single-shot poll hears it.
void UringLoop::arm_stop_watch() {
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_poll_add(s, shared_.ctx.shutdown.wake_fd(), POLLIN);
    io_uring_sqe_set_data64(s, tag(UringOp::stop));
}

void UringLoop::begin_shutdown() {
    if (stopping_) return;
    stopping_ = true;
    stop_deadline_ = now_ + shared_.ctx.runtime()->cfg.shutdown_timeout;
    pause_accepting(stop_deadline_);
    // advance() may destroy a connection, which reorders conns_: walk a copy.
    std::vector<UringConn*> all;
    for (auto& c : conns_) all.push_back(c.get());
    for (UringConn* c : all) {
        if (c->lingering || c->cancelling) continue;
        c->http.shutdown();  // idle ones close at once; requests in flight finish
        advance(*c);
    }
}

// Past the shutdown deadline (or the loop ended): cancel what is left and wait for the
// cancellations, so no send still reads a buffer that is about to be freed.
void UringLoop::finish_remaining() {
    std::vector<UringConn*> all;
    for (auto& c : conns_) all.push_back(c.get());
    for (UringConn* c : all)
        if (!c->cancelling) close_conn(*c);
    const auto give_up = clock::now() + 500ms;  // within the control thread's drain bound
    while (!conns_.empty() && clock::now() < give_up) {
        ring_.submit_and_wait(100ms);
        ring_.for_each_completion([this](const io_uring_cqe& cqe) { dispatch(cqe); });
    }
    if (!conns_.empty()) spdlog::error("uring: {} connections did not finish cancelling", conns_.size());
}

std::error_code run_uring_loops(Context& ctx) {
    const auto rt = ctx.runtime();
    const unsigned workers = config::resolve_workers(rt->cfg.workers);
    UringShared shared{ctx, rt->cfg.max_connections};
    // A ring set up with SINGLE_ISSUER belongs to the thread that created it, so each loop is
    // built on its own thread; all wait until every ring exists, and none serves if one failed.
    std::latch built(workers);
    std::atomic<int> failure{0};
    const auto serve = [&] {
        std::unique_ptr<UringLoop> loop;
        try {
            loop = std::make_unique<UringLoop>(shared);
        } catch (const std::system_error& e) {
            failure.store(e.code().value());
        }
        built.arrive_and_wait();
        if (failure.load() == 0) loop->run();
    };
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < workers; ++i) threads.emplace_back(serve);
    serve();
    for (auto& t : threads) t.join();
    if (const int err = failure.load(); err != 0) return {err, std::generic_category()};
    return {};
}

}  // namespace server
