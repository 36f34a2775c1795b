// CoroLoop: the coroutine model's event loop, one per thread. Coroutines suspend on a Watch
// (readable, writable, until its deadline, or yield to others) and the loop resumes them when
// epoll, a timer or the stop pipe says so - the asyncio event loop of this code base.
// Everything here runs on the loop's thread; nothing is thread-safe. The loop owns the
// frames spawned on it (a TaskScope) and destroys those still suspended when run() ends, so
// no coroutine frame outlives the loop.
//
// Readiness: sockets are registered once, edge-triggered (the epoll-et model's EpollPoller),
// with EPOLLOUT armed only while a write waits. The awaiters set the interest inside
// await_suspend, after the coroutine saw EAGAIN: EPOLL_CTL_MOD re-checks readiness, so an edge
// that arrived in between is queued, not lost. A readable edge that arrives while nobody waits
// for it is remembered in the Watch (readable_hint()), never dropped.
// Deadlines: each Watch has at most one, filed under a TimerKind in the loop's Timers. All
// deadlines of one kind must share one duration (TimerList's O(1) rule); a wait pending when
// its deadline passes resumes with Wake::timeout.
// Stop: once stop_fd turns readable, every Watch gets Wake::stop exactly once (a waiting one
// at once, a busy one at its next wait); run() then returns when every coroutine has finished
// or drain_timeout has passed (or urgent_fd turned readable), whichever comes first.
#pragma once

#include <chrono>
#include <coroutine>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>
#include <vector>

#include "models/coroutine/task_scope.hpp"
#include "server/loop/timers.hpp"
#include "server/readiness/epoll_poller.hpp"

namespace server {

// Why a wait ended. error: the interest could not be set (epoll_ctl failed) or the Watch has
// no descriptor to wait on.
enum class Wake : std::uint8_t { ready, timeout, stop, error };

class CoroLoop;

// One descriptor's registration with a loop, plus its deadline. Owned by the coroutine that
// waits on it (a local of its frame). Its address is held by epoll's fd table, the timer list
// and the run queue, so it is neither copied nor moved. One Watch per descriptor; destroy it
// before closing the descriptor.
class Watch {
public:
    using clock = std::chrono::steady_clock;
    enum class Op : std::uint8_t { none, read, write, deadline, yield };

    explicit Watch(CoroLoop& loop) noexcept;  // no descriptor: deadlines and stop only
    // Registers fd (read interest). A listener is registered with EPOLLEXCLUSIVE, level-
    // triggered, and can only be waited on for readability. registered() says if it worked.
    Watch(CoroLoop& loop, int fd, bool listener = false) noexcept;
    ~Watch();
    Watch(const Watch&) = delete;
    Watch& operator=(const Watch&) = delete;

    [[nodiscard]] bool registered() const noexcept { return registered_; }
    [[nodiscard]] int fd() const noexcept { return fd_; }

    class [[nodiscard]] Awaiter {
    public:
        Awaiter(Watch& w, Op op) noexcept : w_(w), op_(op) {}
        [[nodiscard]] bool await_ready() const noexcept { return w_.deliverable(op_); }
        bool await_suspend(std::coroutine_handle<> h) const noexcept { return w_.suspend(op_, h); }
        [[nodiscard]] Wake await_resume() const noexcept { return w_.take_result(); }

    private:
        Watch& w_;
        Op op_;
    };
    // Each resumes with ready, or timeout / stop / error; see Wake.
    Awaiter readable() noexcept { return {*this, Op::read}; }
    Awaiter writable() noexcept { return {*this, Op::write}; }
    Awaiter until_deadline() noexcept { return {*this, Op::deadline}; }  // ready never
    Awaiter yield() noexcept { return {*this, Op::yield}; }  // ready on the loop's next turn

    // The deadline that bounds every later wait. Re-filing an unchanged deadline is free, so
    // callers may call this after every step; a deadline that moved forgets a pending
    // timeout. All deadlines of one kind must share one duration.
    void set_deadline(TimerKind kind, clock::time_point at) noexcept;
    void clear_deadline() noexcept;

    // False after drained() until epoll reports the descriptor readable again.
    [[nodiscard]] bool readable_hint() const noexcept { return readable_; }
    // A read saw EAGAIN or came back short: the socket queue was empty, so the next read waits
    // for an edge instead of paying for a recv that would say EAGAIN.
    void drained() noexcept { readable_ = false; }

private:
    friend class CoroLoop;

    [[nodiscard]] bool deliverable(Op op) noexcept;
    bool suspend(Op op, std::coroutine_handle<> h) noexcept;
    [[nodiscard]] Wake take_result() noexcept { return result_; }
    // Takes the waiting handle for the loop to resume with `why`.
    std::coroutine_handle<> wake(Wake why) noexcept;

    CoroLoop& loop_;
    int fd_ = -1;
    bool registered_ = false;
    bool listener_ = false;
    bool readable_ = true;       // the syscall comes first: a new socket is tried at once
    bool stop_pending_ = false;  // a stop this Watch has not delivered yet
    bool timed_out_ = false;     // the deadline passed while no wait was pending
    bool queued_ = false;        // in the loop's run queue (Op::yield)
    Op waiting_ = Op::none;
    Wake result_ = Wake::ready;
    std::coroutine_handle<> waiter_;
    TimerKind kind_ = TimerKind::header;
    TimerNode timer_;
    Watch* prev_ = nullptr;  // the loop's list of all Watches (for the stop broadcast)
    Watch* next_ = nullptr;
};

class CoroLoop {
public:
    using clock = std::chrono::steady_clock;

    struct Options {
        int stop_fd = -1;    // becomes readable (and stays so) when the loop must stop
        int urgent_fd = -1;  // likewise, once the drain must end at once (a second signal)
        // Asked when the stop arrives (so a reload's value applies).
        std::function<std::chrono::milliseconds()> drain_timeout = [] {
            return std::chrono::milliseconds(10'000);
        };
    };

    explicit CoroLoop(Options opt);  // throws std::system_error (epoll_create1)
    ~CoroLoop();
    CoroLoop(const CoroLoop&) = delete;
    CoroLoop& operator=(const CoroLoop&) = delete;

    // Runs the coroutine until its first suspension; the loop owns its frame from now on.
    void spawn(Detached task) noexcept { scope_.spawn(std::move(task)); }

    // Serves until every spawned coroutine has finished, or after a stop until the drain
    // timeout (or urgent_fd); then destroys the frames still suspended and returns how many
    // it destroyed. Blocks the calling thread.
    std::size_t run();

    [[nodiscard]] clock::time_point now() const noexcept { return now_; }  // of this turn
    [[nodiscard]] bool stopping() const noexcept { return stopping_; }
    [[nodiscard]] std::size_t live_tasks() const noexcept { return scope_.size(); }
    // The thread's receive buffer. Hazard: valid only until the caller's next co_await
    // (another coroutine uses it meanwhile), so parse it before suspending.
    [[nodiscard]] std::span<std::byte> scratch() noexcept { return scratch_; }

private:
    friend class Watch;

    void attach(Watch& w) noexcept;
    void detach(Watch& w) noexcept;
    void enqueue(Watch& w);
    void dispatch(const PollEvent& ev);
    void run_queued();
    void expire_timers();
    void begin_stop();
    [[nodiscard]] int next_timeout_ms() noexcept;

    EpollPoller poller_{true};
    Timers timers_;
    std::vector<Watch*> by_fd_;
    Watch* all_ = nullptr;           // every live Watch, for the stop broadcast
    std::vector<Watch*> run_queue_;  // yielded; resumed next turn
    std::vector<PollEvent> events_;
    std::vector<std::byte> scratch_;
    Options opt_;
    clock::time_point now_;
    bool stopping_ = false;
    clock::time_point stop_deadline_{};
    TaskScope scope_;  // last member: frames die first, while the loop they use still exists
};

}  // namespace server
