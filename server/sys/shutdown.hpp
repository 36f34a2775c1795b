// Shutdown: the process's stop signals turned into state every model can wait on.
// install() runs once on the main thread at startup, before any thread or child exists.
// SIGTERM and SIGINT: the first requests a graceful drain (within --shutdown-timeout), the
// second an immediate stop (nginx's fast shutdown; an operator's second Ctrl-C must not sit
// out the drain). SIGQUIT exits at once; SIGPIPE is ignored so a peer that vanished can never
// kill us (send errors come back as EPIPE instead).
// requested(), urgent() and the fds are safe from any thread; wake_fd() becomes readable, and
// stays readable, once a stop is requested, and urgent_fd() likewise at the second request, so
// poll()/epoll() loops wake without a race. Forked children inherit both pipes: the parent's
// stop wakes them too (their requested() flag is their own memory, so children watch
// wake_fd(); server::Children gives a child a private stop pipe under the same number).
//
// The outcome of a stop, for the one line every model logs the same way
// (server/runtime/stop_log.hpp): how many connections the drain had to cut, counted by the
// model (count_cut(), any thread) when its timeout or the second signal closes them.
#pragma once

#include <atomic>
#include <cstddef>

namespace server {

class Shutdown {
public:
    static Shutdown& instance();

    void install();  // signal handlers; throws std::system_error on failure
    // What the signal handler does (sig: the signal, 0 for none); also usable by tests and
    // models. Async-signal-safe. The first call requests the drain, the second the urgent stop.
    void request(int sig = 0) noexcept;
    [[nodiscard]] bool requested() const noexcept {
        return requested_.load(std::memory_order_acquire);
    }
    [[nodiscard]] bool urgent() const noexcept { return urgent_.load(std::memory_order_acquire); }
    [[nodiscard]] int wake_fd() const noexcept { return pipe_[0]; }
    [[nodiscard]] int urgent_fd() const noexcept { return urgent_pipe_[0]; }
    // The signal of the first request, and of the second; 0 when none came or request() had none.
    [[nodiscard]] int first_signal() const noexcept {
        return first_sig_.load(std::memory_order_relaxed);
    }
    [[nodiscard]] int second_signal() const noexcept {
        return second_sig_.load(std::memory_order_relaxed);
    }

    void count_cut(std::size_t n) noexcept { cut_.fetch_add(n, std::memory_order_relaxed); }
    [[nodiscard]] std::size_t cut() const noexcept { return cut_.load(std::memory_order_relaxed); }

private:
    Shutdown() = default;
    std::atomic<bool> requested_{false};
    std::atomic<bool> urgent_{false};
    std::atomic<int> first_sig_{0};
    std::atomic<int> second_sig_{0};
    std::atomic<std::size_t> cut_{0};
    int pipe_[2] = {-1, -1};
    int urgent_pipe_[2] = {-1, -1};
};

}  // namespace server
