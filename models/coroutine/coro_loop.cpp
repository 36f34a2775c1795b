#include "models/coroutine/coro_loop.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <new>
#include <system_error>

#include <spdlog/spdlog.h>

#include "models/coroutine/task.hpp"

namespace server {
namespace {

constexpr std::size_t scratch_size = 64 * 1024;
constexpr std::size_t max_events = 512;

bool waits_for_event(Watch::Op op) noexcept {
    return op == Watch::Op::read || op == Watch::Op::write || op == Watch::Op::deadline;
}

}  // namespace

// ---- Watch ---------------------------------------------------------------------------------

Watch::Watch(CoroLoop& loop) noexcept : loop_(loop) { loop_.attach(*this); }

Watch::Watch(CoroLoop& loop, int fd, bool listener) noexcept
    : loop_(loop), fd_(fd), listener_(listener) {
    if (fd >= 0)
        registered_ =
            listener ? loop_.poller_.add_listener(fd) : loop_.poller_.add(fd, Interest::read);
    loop_.attach(*this);
}

Watch::~Watch() {
    // A frame destroyed while suspended here (loop shutdown) just drops its wait.
    Timers::cancel(timer_);
    if (queued_) std::erase(loop_.run_queue_, this);
    loop_.detach(*this);
}

bool Watch::deliverable(Op op) noexcept {
    // A stop or a timeout that happened while this coroutine was busy is delivered by its next
    // wait, whatever it waits for: that is how a busy connection still hears of them.
    if (stop_pending_) {
        stop_pending_ = false;
        result_ = Wake::stop;
        return true;
    }
    if (timed_out_) {
        timed_out_ = false;
        result_ = Wake::timeout;
        return true;
    }
    result_ = Wake::ready;
    return op == Op::read && registered_ && readable_;
}

bool Watch::suspend(Op op, std::coroutine_handle<> h) noexcept {
    // The interest is set here, after the coroutine saw EAGAIN and before it sleeps: epoll_ctl
    // re-checks readiness, so an edge in between is reported rather than lost.
    bool ok = true;
    switch (op) {
        case Op::read:
            ok = registered_ && (listener_ || loop_.poller_.set(fd_, Interest::read));
            break;
        case Op::write:
            ok = registered_ && !listener_ && loop_.poller_.set(fd_, Interest::write);
            break;
        case Op::yield: loop_.enqueue(*this); break;
        case Op::deadline: break;
        case Op::none: ok = false; break;
    }
    if (!ok) {
        result_ = Wake::error;
        return false;  // resume at once
    }
    waiting_ = op;
    waiter_ = h;
    return true;
}

std::coroutine_handle<> Watch::wake(Wake why) noexcept {
    result_ = why;
    waiting_ = Op::none;
    return std::exchange(waiter_, {});
}

void Watch::set_deadline(TimerKind kind, clock::time_point at) noexcept {
    if (timer_.linked() && kind_ == kind && timer_.at == at) return;
    kind_ = kind;
    timed_out_ = false;
    loop_.timers_.file(timer_, kind, at);
}

void Watch::clear_deadline() noexcept {
    Timers::cancel(timer_);
    timed_out_ = false;
}

// ---- CoroLoop ------------------------------------------------------------------------------

CoroLoop::CoroLoop(Options opt)
    : events_(max_events), scratch_(scratch_size), opt_(std::move(opt)), now_(clock::now()) {
    if (opt_.stop_fd >= 0 && !poller_.add(opt_.stop_fd, Interest::read))
        throw std::system_error(errno, std::generic_category(), "epoll_ctl(stop pipe)");
}

CoroLoop::~CoroLoop() {
    scope_.destroy_all();  // frames first: their Watches deregister from this loop
    if (opt_.stop_fd >= 0 && !stopping_) poller_.remove(opt_.stop_fd);
}

void CoroLoop::attach(Watch& w) noexcept {
    w.timer_.owner = &w;
    w.stop_pending_ = stopping_;
    w.next_ = all_;
    if (all_ != nullptr) all_->prev_ = &w;
    all_ = &w;
    if (!w.registered_) return;
    const auto slot = static_cast<std::size_t>(w.fd_);
    try {
        if (slot >= by_fd_.size()) by_fd_.resize(slot + 256, nullptr);
        by_fd_[slot] = &w;
    } catch (const std::bad_alloc&) {
        poller_.remove(w.fd_);
        w.registered_ = false;
        errno = ENOMEM;
    }
}

void CoroLoop::detach(Watch& w) noexcept {
    if (w.registered_) {
        // A connection's socket closes right after (see EpollPoller::forget); the listener
        // stays open and shared, so it is removed for real.
        if (w.listener_)
            poller_.remove(w.fd_);
        else
            poller_.forget(w.fd_);
        by_fd_[static_cast<std::size_t>(w.fd_)] = nullptr;
    }
    if (w.prev_ != nullptr)
        w.prev_->next_ = w.next_;
    else
        all_ = w.next_;
    if (w.next_ != nullptr) w.next_->prev_ = w.prev_;
}

void CoroLoop::enqueue(Watch& w) {
    w.queued_ = true;
    run_queue_.push_back(&w);  // bad_alloc here ends the process: nothing sane to do
}

std::size_t CoroLoop::run() {
    while (!scope_.empty()) {
        if (stopping_ && now_ >= stop_deadline_) break;
        const int n = poller_.wait(events_, next_timeout_ms());
        now_ = clock::now();
        if (n < 0) {
            if (errno == EINTR) continue;
            spdlog::critical("coroutine loop: epoll_wait failed: {}", std::strerror(errno));
            break;
        }
        for (int i = 0; i < n; ++i) dispatch(events_[static_cast<std::size_t>(i)]);
        run_queued();
        expire_timers();
    }
    const std::size_t cancelled = scope_.size();
    scope_.destroy_all();
    return cancelled;
}

void CoroLoop::dispatch(const PollEvent& ev) {
    if (ev.fd == opt_.stop_fd) {
        begin_stop();
        return;
    }
    if (ev.fd == opt_.urgent_fd) {
        poller_.remove(ev.fd);
        stop_deadline_ = now_;  // run() ends before its next wait
        return;
    }
    // Looked up now, not when the batch arrived: a coroutine resumed earlier in this batch
    // may have closed its socket (nullptr) or the acceptor reused the number (a spurious
    // wake-up, harmless because every wait is preceded by a syscall that says EAGAIN).
    const auto slot = static_cast<std::size_t>(ev.fd);
    Watch* w = slot < by_fd_.size() ? by_fd_[slot] : nullptr;
    if (w == nullptr) return;
    const bool in = ev.readable || ev.hangup;
    if (in) w->readable_ = true;
    const bool go = (w->waiting_ == Watch::Op::read && in) ||
                    (w->waiting_ == Watch::Op::write && (ev.writable || ev.hangup));
    if (go) resume_chain(w->wake(Wake::ready));
}

void CoroLoop::run_queued() {
    if (run_queue_.empty()) return;
    // Take the whole batch first: coroutines resumed now that yield again go to the next turn.
    std::vector<std::coroutine_handle<>> batch;
    batch.reserve(run_queue_.size());
    for (Watch* w : run_queue_) {
        w->queued_ = false;
        batch.push_back(w->wake(Wake::ready));
    }
    run_queue_.clear();
    // Each handle stays valid until resumed: only its own coroutine can end its frame.
    for (const auto h : batch) resume_chain(h);
}

void CoroLoop::expire_timers() {
    timers_.expire(now_, [](TimerNode& t) {
        Watch& w = *static_cast<Watch*>(t.owner);
        if (waits_for_event(w.waiting_))
            resume_chain(w.wake(Wake::timeout));
        else
            w.timed_out_ = true;  // busy or yielded: its next wait reports it
    });
}

void CoroLoop::begin_stop() {
    if (stopping_) return;
    stopping_ = true;
    stop_deadline_ = now_ + opt_.drain_timeout();
    poller_.remove(opt_.stop_fd);  // readable forever from now on
    if (opt_.urgent_fd >= 0 && !poller_.add(opt_.urgent_fd, Interest::read))
        spdlog::warn("coroutine loop: cannot watch for a second stop signal: {}",
                     std::strerror(errno));
    std::vector<std::coroutine_handle<>> waiting;
    for (Watch* w = all_; w != nullptr; w = w->next_) {
        if (waits_for_event(w->waiting_))
            waiting.push_back(w->wake(Wake::stop));
        else
            w->stop_pending_ = true;
    }
    for (const auto h : waiting) resume_chain(h);
}

int CoroLoop::next_timeout_ms() noexcept {
    if (!run_queue_.empty()) return 0;
    clock::time_point next = timers_.next_expiry();
    if (stopping_) next = std::min(next, stop_deadline_);
    return wait_ms(next, now_);
}

}  // namespace server
