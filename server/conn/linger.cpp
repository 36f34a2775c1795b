#include "server/conn/linger.hpp"

#include <sys/socket.h>

#include <cerrno>

#include "base/syscall.hpp"

namespace server {

void Linger::start(int fd, clock::time_point now) noexcept {
    ::shutdown(fd, SHUT_WR);
    until_ = now + window;
    active_ = true;
}

bool Linger::drain(int fd, std::span<std::byte> scratch) noexcept {
    while (!over_) {
        const ssize_t n =
            poly::retry_eintr([&] { return ::recv(fd, scratch.data(), scratch.size(), 0); });
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return true;
        if (n < 0)
            end();
        else
            absorb(static_cast<std::size_t>(n));
    }
    return false;
}

bool Linger::absorb(std::size_t n) noexcept {
    absorbed_ += n;
    if (n == 0 || absorbed_ > max_bytes) over_ = true;
    return !over_;
}

int Linger::remaining_ms(clock::time_point now) const noexcept {
    if (now >= until_) return 0;
    return static_cast<int>(std::chrono::ceil<std::chrono::milliseconds>(until_ - now).count());
}

}  // namespace server
