// fork: one child process per connection (the seed's fork server, made production-grade).
// The parent only accepts and supervises: it forks a child per connection and closes its copy
// of the socket; the child closes its copy of the listener, serves keep-alive requests until
// the connection ends and _exit()s. Memory per connection is a whole process (copy-on-write
// pages of the parent plus a kernel task), the connection rate is bounded by fork() and the
// child's copy-on-write faults (~0.4 ms of CPU per connection on the development VM), and a
// slow or idle client holds only its own child.
//
// Reaping: SIGCHLD wakes the parent's poll through server::Children's self-pipe and a
// waitpid(WNOHANG) loop reaps every ended child at once, so there is never a zombie however
// many connections pass. That is also why the parent polls the listener itself and accepts
// with accept_once() instead of sitting in accept_blocking(): it must wake for SIGCHLD too.
//
// --max-connections caps live children: at the cap the parent stops polling the listener
// until a child ends, so new clients wait in the kernel backlog instead of being dropped;
// meanwhile it offers a token per waiting client, and a child whose connection idled in
// keep-alive for a second takes one and ends (the saturation rule,
// server/conn/blocking_driver.hpp).
//
// Stop (SIGTERM/SIGINT): stop accepting, forward SIGTERM to the children (each closes an idle
// keep-alive connection at once and finishes a response in flight), wait up to
// --shutdown-timeout or a second SIGTERM/SIGINT, then have the children cut their responses
// (Children::stop_all), exit 0.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <system_error>
#include <vector>

#include <spdlog/spdlog.h>

#include "base/syscall.hpp"
#include "server/conn/blocking_driver.hpp"
#include "server/obs/log_throttle.hpp"
#include "server/proc/children.hpp"
#include "server/runtime/model.hpp"
#include "server/sys/accept_once.hpp"

namespace models {
namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How long the parent stops accepting after running out of descriptors or processes: long
// enough not to spin, short enough that clients in the backlog barely notice.
constexpr auto resource_pause = 50ms;
// How often a parent at its cap counts the clients in the backlog (the saturation rule).
constexpr int saturation_poll_ms = 200;

class ForkServer {
public:
    explicit ForkServer(server::Context& ctx) : ctx_(ctx) {}

    // Throws std::system_error when the listener cannot be made non-blocking (run_server
    // returns it). The parent is the only process that accepts; O_NONBLOCK makes
    // accept_once() safe even if a queued connection vanished between poll() and accept().
    std::error_code run() {
        ctx_.listeners.set_nonblocking(true);
        for (const server::Listener& l : ctx_.listeners) fds_.push_back({l.fd(), POLLIN, 0});
        while (wait_for_work()) {
            children_.reap([this](pid_t pid, int status) { on_exit(pid, status); });
            // One accept per ready listener per turn: none waits behind a busy one.
            for (std::size_t i = 0; i < ctx_.listeners.size() && still_accepting(); ++i) {
                if (fds_[first_listener + i].revents != 0) accept_and_fork(ctx_.listeners[i]);
            }
        }
        drain();
        return {};
    }

private:
    // Blocks until a client, a child's end or a stop; false on stop.
    bool wait_for_work() {
        const auto now = clock::now();
        const std::size_t cap = ctx_.runtime()->cfg.max_connections;  // a reload may change it
        const bool at_cap = children_.live() >= cap;
        note_cap(at_cap, cap);
        const bool accepting = !at_cap && now >= paused_until_;
        int timeout = at_cap ? saturation_poll_ms : -1;
        tokens_.offer(at_cap ? server::queued_clients(ctx_.listeners) : 0);
        if (!at_cap && !accepting)
            timeout = static_cast<int>(
                std::chrono::ceil<std::chrono::milliseconds>(paused_until_ - now).count());
        fds_[0] = {ctx_.shutdown.wake_fd(), POLLIN, 0};
        fds_[1] = {children_.wake_fd(), POLLIN, 0};
        // Paused or at the cap: the listeners (after the first two) are left out of the wait.
        const nfds_t count = accepting ? fds_.size() : first_listener;
        for (pollfd& p : fds_) p.revents = 0;
        const int n = poly::retry_eintr([&] { return ::poll(fds_.data(), count, timeout); });
        accepting_ = accepting && n > 0;
        if (n < 0) {
            spdlog::error("fork: poll: {}", std::strerror(errno));
            paused_until_ = clock::now() + resource_pause;
            return true;
        }
        return fds_[0].revents == 0;
    }

    // Between the accepts of one turn: a pause or the cap reached stops the rest too.
    bool still_accepting() const {
        return accepting_ && clock::now() >= paused_until_ &&
               children_.live() < ctx_.runtime()->cfg.max_connections;
    }

    void note_cap(bool at_cap, std::size_t cap) {
        if (at_cap && !at_cap_) {
            ++cap_episodes_;
            if (cap_log_.admit() != 0)  // a busy server hits the cap constantly
                spdlog::warn(
                    "fork: {} children, the --max-connections cap: new clients wait in "
                    "the backlog",
                    cap);
        }
        at_cap_ = at_cap;
    }

    void accept_and_fork(const server::Listener& listener) {
        server::Accepted c = server::accept_once(listener);
        if (!c.fd) {
            if (server::out_of_resources(errno)) pause_accepting("accept");  // every listener
            return;  // EAGAIN, ECONNABORTED: the client is gone, poll again
        }
        // The child serves with the snapshot current now, in a Context of its own: the
        // parent's atomic snapshot may be mid-update by the reload thread at the fork instant.
        std::shared_ptr<const server::Runtime> rt = ctx_.runtime();
        const pid_t pid = children_.spawn(ctx_.shutdown, [&] { return serve_child(c, rt); });
        if (pid < 0) {
            pause_accepting("fork");  // the connection is closed (dropped) as c goes out of scope
            return;
        }
        ++forked_;
        // Leaving scope closes the parent's copy of the connection: the child owns it now.
    }

    // In the child. The listener is closed first: a child holding it would keep the port
    // bound after the parent exits, and a restarted server could not bind it.
    int serve_child(server::Accepted& c, std::shared_ptr<const server::Runtime> rt) {
        // The Listener objects are never used (nor destroyed) here.
        for (const server::Listener& l : ctx_.listeners) ::close(l.fd());
        const server::Context mine(ctx_.listeners, ctx_.shutdown, ctx_.access_log, ctx_.stats,
                                   std::move(rt));
        // The master's cut order arrives on the urgent fd (server::Children, SIGUSR2).
        server::serve_blocking(std::move(c), mine, {ctx_.shutdown.urgent_fd(), false},
                               {nullptr, tokens_.fd()});
        return 0;
    }

    void pause_accepting(const char* what) {
        const int err = errno;
        const auto now = clock::now();
        if (pause_log_.admit(now) != 0)
            spdlog::warn("fork: {}: {}; pausing accepts ({} children)", what, std::strerror(err),
                         children_.live());
        paused_until_ = now + resource_pause;
    }

    void on_exit(pid_t pid, int status) {
        ctx_.stats.settle_process(pid);  // a killed child never closed its connection's count
        if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return;
        ++abnormal_;
        if (!draining_ || !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
            spdlog::warn("fork: child {} {}", pid, server::describe_wait_status(status));
    }

    void drain() {
        draining_ = true;
        const auto grace = ctx_.runtime()->cfg.shutdown_timeout;
        server::announce_stop(ctx_);  // before this model's own lines about the stop
        const auto out =
            children_.stop_all(grace, ctx_.shutdown, ctx_.stats,
                               [this](pid_t pid, int status) { on_exit(pid, status); });
        ctx_.shutdown.count_cut(out.cut);
        spdlog::info("fork: {} children forked, {} ended abnormally, {} at the cap, {} bytes sent",
                     forked_, abnormal_, cap_episodes_,
                     ctx_.stats.bytes_sent.load(std::memory_order_relaxed));
    }

    server::Context& ctx_;
    server::Children children_;
    server::SaturationTokens tokens_;  // inherited by every child
    // The stop pipe, the children's wake fd, then one entry per listener.
    static constexpr std::size_t first_listener = 2;
    std::vector<pollfd> fds_ = std::vector<pollfd>(first_listener);
    bool accepting_ = false;  // the last wait included the listeners
    bool at_cap_ = false;
    bool draining_ = false;
    clock::time_point paused_until_{};
    server::LogThrottle pause_log_{10s};
    server::LogThrottle cap_log_{10s};
    std::uint64_t forked_ = 0;
    std::uint64_t abnormal_ = 0;
    std::uint64_t cap_episodes_ = 0;
};

}  // namespace

extern constinit const server::Model fork_model{
    "fork", "a child process per connection, reaped on SIGCHLD; capped by --max-connections",
    &server::run_server<ForkServer>};

}  // namespace models
