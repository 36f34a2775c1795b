#include "server/sys/shutdown.hpp"

#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <cstdlib>
#include <system_error>

namespace server {
namespace {

void on_stop_signal(int sig) {
    const int saved = errno;
    Shutdown::instance().request(sig);
    errno = saved;
}

void on_quit_signal(int) { std::_Exit(0); }

void set_handler(int sig, void (*fn)(int)) {
    struct sigaction sa {};
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (::sigaction(sig, &sa, nullptr) != 0)
        throw std::system_error(errno, std::generic_category(), "sigaction");
}

}  // namespace

Shutdown& Shutdown::instance() {
    static Shutdown s;
    return s;
}

void Shutdown::install() {
    for (int* p : {pipe_, urgent_pipe_})
        if (p[0] < 0 && ::pipe2(p, O_CLOEXEC | O_NONBLOCK) != 0)
            throw std::system_error(errno, std::generic_category(), "pipe2");
    set_handler(SIGTERM, on_stop_signal);
    set_handler(SIGINT, on_stop_signal);
    set_handler(SIGQUIT, on_quit_signal);
    set_handler(SIGPIPE, SIG_IGN);
}

void Shutdown::request(int sig) noexcept {
    // Async-signal-safe: atomics and one write(2). The byte is never read back, so the read
    // end stays readable for every waiter. A third signal and later change nothing.
    const auto wake = [](const int* p) {
        if (p[1] < 0) return;
        const char byte = 1;
        [[maybe_unused]] const auto n = ::write(p[1], &byte, 1);
    };
    if (!requested_.exchange(true, std::memory_order_acq_rel)) {
        first_sig_.store(sig, std::memory_order_relaxed);
        wake(pipe_);
        return;
    }
    if (urgent_.exchange(true, std::memory_order_acq_rel)) return;
    second_sig_.store(sig, std::memory_order_relaxed);
    wake(urgent_pipe_);
}

}  // namespace server
