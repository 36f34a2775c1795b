// select(): the oldest multiplexer. Each wait copies three bitmaps into the kernel and
// scans every descriptor up to the highest one, so cost grows with the highest fd, not with
// the number of ready ones; and an fd_set holds descriptors below FD_SETSIZE (1024) only.
// Connections whose fd does not fit are answered 503 by the reactor (fd_limit()), never
// put in an fd_set (that would be undefined behaviour).
//
// The stop signals (SIGTERM, SIGINT, SIGQUIT) are blocked on a select reactor's thread except
// inside its wait, which is pselect() with the thread's previous mask: a stop that arrives
// while the reactor works stays pending in the kernel and interrupts the next wait, instead of
// depending on where the thread was when it came. Without a sanitizer the handler runs at
// once either way and the stop pipe (server/sys/shutdown.hpp) wakes the wait. Under
// ThreadSanitizer (GCC 12's runtime) it does not: a handler for a signal that lands outside a
// call the runtime knows to block is deferred to the thread's next intercepted call, and
// select() is not such a call (poll() and epoll_wait() are). A SIGTERM landing just before
// select() then slept with it: with no timer filed, forever, and the stop byte unwritten, so
// the other reactor and the control thread never saw the stop either. (GCC 12's runtime does
// not intercept select() or pselect() at all.)
#include "models/select.hpp"

#include <pthread.h>
#include <signal.h>
#include <sys/select.h>

#include <algorithm>
#include <cerrno>
#include <vector>

#include "server/readiness/poller.hpp"
#include "server/readiness/reactor.hpp"
#include "server/runtime/model.hpp"

namespace models {
namespace {

// Blocks the stop signals on the constructing thread and restores its mask on destruction,
// which must run on that thread (run_workers() builds and destroys each loop on its own).
class StopSignalsHeld {
public:
    StopSignalsHeld() noexcept {
        sigset_t stop;
        sigemptyset(&stop);
        for (const int sig : {SIGTERM, SIGINT, SIGQUIT}) sigaddset(&stop, sig);
        ::pthread_sigmask(SIG_BLOCK, &stop, &before_);
    }
    ~StopSignalsHeld() { ::pthread_sigmask(SIG_SETMASK, &before_, nullptr); }
    StopSignalsHeld(const StopSignalsHeld&) = delete;
    StopSignalsHeld& operator=(const StopSignalsHeld&) = delete;

    // The mask to wait with: the thread's own, stop signals deliverable.
    [[nodiscard]] const sigset_t& while_waiting() const noexcept { return before_; }

private:
    sigset_t before_;
};

class SelectPoller final : public server::Poller {
public:
    SelectPoller() {
        FD_ZERO(&read_);
        FD_ZERO(&write_);
    }

    bool add(int fd, server::Interest interest) override {
        if (fd < 0 || fd >= FD_SETSIZE) {
            errno = EMFILE;
            return false;
        }
        fds_.push_back(fd);
        return set(fd, interest);
    }
    bool set(int fd, server::Interest interest) override {
        if (interest == server::Interest::write) {
            FD_CLR(fd, &read_);
            FD_SET(fd, &write_);
        } else {
            FD_CLR(fd, &write_);
            FD_SET(fd, &read_);
        }
        return true;
    }
    void remove(int fd) override {
        if (fd < 0 || fd >= FD_SETSIZE) return;
        FD_CLR(fd, &read_);
        FD_CLR(fd, &write_);
        std::erase(fds_, fd);
    }
    int wait(std::span<server::PollEvent> out, int timeout_ms) override;
    [[nodiscard]] int fd_limit() const noexcept override { return FD_SETSIZE; }

private:
    StopSignalsHeld held_;
    fd_set read_, write_;
    std::vector<int> fds_;  // registered descriptors, to report events without a full scan
};

int SelectPoller::wait(std::span<server::PollEvent> out, int timeout_ms) {
    fd_set r = read_, w = write_;
    const int max_fd = fds_.empty() ? -1 : *std::max_element(fds_.begin(), fds_.end());
    const timespec ts{timeout_ms / 1000, (timeout_ms % 1000) * 1'000'000L};
    // A stop signal held since the last wait is delivered here: EINTR, and the reactor's
    // next wait finds the stop pipe readable.
    const int n = ::pselect(max_fd + 1, &r, &w, nullptr, timeout_ms < 0 ? nullptr : &ts,
                            &held_.while_waiting());
    if (n < 0 && errno == EINTR) {
        // Under ThreadSanitizer the handler of the signal that ended the wait runs at the
        // thread's next intercepted call, and pselect() is not one: make one now (sigpending
        // changes nothing), so that the stop pipe is written before the caller waits again.
        sigset_t pending;
        ::sigpending(&pending);
        errno = EINTR;
    }
    if (n <= 0) return n;
    int count = 0;
    for (const int fd : fds_) {
        if (static_cast<std::size_t>(count) == out.size()) break;
        const bool readable = FD_ISSET(fd, &r) != 0, writable = FD_ISSET(fd, &w) != 0;
        if (readable || writable)
            out[static_cast<std::size_t>(count++)] = {fd, readable, writable, false};
    }
    return count;
}

}  // namespace

std::unique_ptr<server::Poller> make_select_poller() { return std::make_unique<SelectPoller>(); }

extern constinit const server::Model select_model{
    "select", "one reactor on select(); fds past FD_SETSIZE are answered 503",
    [](server::Context& ctx) {
        return server::run_reactors(ctx, [] { return std::make_unique<SelectPoller>(); });
    },
    server::event_loop_reads};

}  // namespace models
