// Lingering close, the one policy every driver uses (blocking driver, reactor, coroutine and
// io_uring loops). Closing a socket with request bytes still unread makes the kernel answer
// them with a reset, which can destroy the response before the client has read it. So after
// an answer that leaves input unread (an error, a refused body) the driver half-closes and
// reads and discards for a while, like nginx's lingering close.
//
// The choice: ONE window of 500 ms from the half-close, and at most 256 KiB absorbed; then the
// socket closes whatever the client still sends. A single fixed window (not "N waits of 50 ms
// each") means every lingering deadline has the same duration, so the event loops' linger
// timer list (TimerKind::linger) stays sorted, and a client that trickles bytes cannot extend
// it. Used on the connection's own thread; drain() never blocks (the socket is non-blocking).
#pragma once

#include <chrono>
#include <cstddef>
#include <span>

namespace server {

class Linger {
public:
    using clock = std::chrono::steady_clock;
    static constexpr std::chrono::milliseconds window{500};
    static constexpr std::size_t max_bytes = 256 * 1024;

    // Half-closes fd (shutdown SHUT_WR: the response is complete) and opens the window.
    void start(int fd, clock::time_point now) noexcept;

    // Reads and discards from fd into `scratch` until the socket says EAGAIN; returns false
    // when lingering is over (the client's FIN, an error, or the byte cap): close now.
    // True: wait for readability or the window's end (until()).
    bool drain(int fd, std::span<std::byte> scratch) noexcept;

    // For a driver that receives itself (io_uring): n bytes were discarded; n == 0, the
    // client's FIN, ends lingering. Returns false when lingering is over.
    bool absorb(std::size_t n) noexcept;
    // The input ended otherwise (a reset): nothing more will come.
    void end() noexcept { over_ = true; }

    [[nodiscard]] bool active() const noexcept { return active_; }
    [[nodiscard]] bool over() const noexcept { return over_; }
    [[nodiscard]] clock::time_point until() const noexcept { return until_; }
    // Milliseconds left in the window, rounded up, for poll(); 0 once it has passed.
    [[nodiscard]] int remaining_ms(clock::time_point now) const noexcept;

private:
    clock::time_point until_{};
    std::size_t absorbed_ = 0;
    bool active_ = false;
    bool over_ = false;
};

}  // namespace server
