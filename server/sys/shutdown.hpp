// Shutdown: the process's stop signals turned into state every model can wait on.
// install() runs once on the main thread at startup, before any thread or child exists.
// SIGTERM and SIGINT request a graceful drain; SIGQUIT exits at once; SIGPIPE is ignored so a
// peer that vanished can never kill us (send errors come back as EPIPE instead).
// requested() and wake_fd() are safe from any thread; wake_fd() becomes readable, and stays
// readable, once a stop is requested, so poll()/epoll() loops wake without a race. Forked
// children inherit the pipe: the parent's stop wakes them too (their requested() flag is their
// own memory, so children watch wake_fd()).
#pragma once

#include <atomic>

namespace server {

class Shutdown {
public:
    static Shutdown& instance();

    void install();           // signal handlers; throws std::system_error on failure
    void request() noexcept;  // what the signal handler does; also usable by tests and models
    [[nodiscard]] bool requested() const noexcept {
        return requested_.load(std::memory_order_acquire);
    }
    [[nodiscard]] int wake_fd() const noexcept { return pipe_[0]; }

private:
    Shutdown() = default;
    std::atomic<bool> requested_{false};
    int pipe_[2] = {-1, -1};
};

}  // namespace server
