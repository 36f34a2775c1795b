// prefork: a master and a pool of worker processes (Apache's prefork MPM; the seed's process
// pool). Each worker waits for a connection on the listeners it inherited and serves one
// connection at a time with serve_blocking(); the master never touches a connection. Memory
// per connection is a whole process, but processes are reused, so the connection rate is not
// bounded by fork(); concurrency is bounded by the pool: a slow or idle keep-alive client
// holds a whole worker, and with every worker busy the next client waits in the backlog.
//
// One shared socket per listener, not a SO_REUSEPORT socket per worker (measured:
// docs/models-blocking.md). With one queue any idle worker takes the next connection; with a socket
// per worker the kernel hashes each connection to one worker's queue whether that worker is free or
// not, so a client can wait behind an idle keep-alive client while other workers idle, and a worker
// that exits (recycling, reload) drops the connections queued on its socket. The shared
// queue's cost, every idle worker waking for every connection, is removed by waiting with
// EPOLLEXCLUSIVE (server::ExclusiveAcceptor), on every listener. They are O_NONBLOCK so a worker
// that loses a race for a connection goes back to waiting (and sees its stop) instead of blocking.
//
// The master supervises (server::Children): SIGCHLD wakes it and an ended worker is replaced
// at once; when workers keep dying within a second of their start, the next start waits,
// 100 ms doubling up to 10 s. --max-requests-per-worker makes a worker exit after the
// connection that reached the count, and the master replaces it. Stop (SIGTERM/SIGINT) is
// forwarded to every worker: each finishes its connection, the master waits up to
// --shutdown-timeout (or a second SIGTERM/SIGINT), then has the rest cut their connections
// (Children::stop_all). Reload (the control thread publishes a new
// configuration and bumps ctx.generation(), polled every 200 ms): a new generation of workers
// starts with the new snapshot, then the old ones get SIGTERM and leave after their connection.
#include <poll.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <vector>

#include <spdlog/spdlog.h>

#include "base/plural.hpp"
#include "base/syscall.hpp"
#include "models/prefork/accept_exclusive.hpp"
#include "server/conn/blocking_driver.hpp"
#include "server/obs/log_throttle.hpp"
#include "server/proc/children.hpp"
#include "server/runtime/model.hpp"

namespace models {
namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr unsigned default_workers = 8;
constexpr auto generation_poll = 200ms;
constexpr auto fast_death = 1s;  // a worker dying younger than this counts toward back-off
constexpr auto max_backoff = 10s;

// --workers for prefork: not given, prefork's own default of 8; "auto" is one per core; an
// explicit count is that count (1 too). Never more workers than --max-connections, since each
// holds one connection.
unsigned pool_size(const config::Config& cfg) {
    const unsigned n = server::worker_count(cfg, default_workers, "workers");
    return std::max(1u, std::min(n, cfg.max_connections));
}

// In a worker: serve connections one at a time until stopped (SIGTERM: the master's stop, a
// reload retiring this generation, or the master's death) or recycled.
int worker_main(const server::Context& master, std::shared_ptr<const server::Runtime> rt) {
    const std::uint64_t max_requests = rt->cfg.max_requests_per_worker;
    const server::Context ctx(master.listeners, master.shutdown, master.access_log, master.stats,
                              std::move(rt));
    server::ExclusiveAcceptor acceptor(ctx.listeners, ctx.shutdown.wake_fd());
    std::uint64_t served = 0;
    for (;;) {
        server::Accepted c = acceptor.accept();
        if (!c.fd) return 0;
        // The master's cut order arrives on the urgent fd (server::Children, SIGUSR2).
        const server::Drain drain{ctx.shutdown.urgent_fd(), false};
        served += server::serve_blocking(std::move(c), ctx, drain).requests;
        if (max_requests != 0 && served >= max_requests) return 0;
    }
}

class Pool {
public:
    explicit Pool(server::Context& ctx) : ctx_(ctx) {}

    // Throws std::system_error when the listener cannot be made non-blocking (run_server
    // returns it).
    std::error_code run() {
        ctx_.listeners.set_nonblocking(true);
        generation_ = ctx_.generation();
        size_ = pool_size(ctx_.runtime()->cfg);
        fill();
        if (workers_.empty())  // fork failed at once: nothing would ever serve
            return std::make_error_code(std::errc::resource_unavailable_try_again);
        spdlog::info("prefork: {} worker{}", size_, poly::plural(size_));
        while (wait()) {
            bool fast = false;
            children_.reap([&](pid_t pid, int status) { fast |= on_exit(pid, status); });
            if (fast) back_off();
            if (ctx_.generation() != generation_) reload();
            fill();
            watch_saturation();
        }
        stop();
        return {};
    }

private:
    struct Worker {
        pid_t pid;
        std::uint64_t generation;
        clock::time_point started;
    };

    // Blocks until a worker ends, the stop, the next generation check or the end of a
    // back-off; false on stop.
    bool wait() const {
        auto timeout = std::chrono::duration_cast<std::chrono::milliseconds>(generation_poll);
        if (current_workers() < size_) {
            const auto until =
                std::chrono::ceil<std::chrono::milliseconds>(next_spawn_ - clock::now());
            timeout = std::clamp(until, 0ms, timeout);
        }
        pollfd fds[2] = {{ctx_.shutdown.wake_fd(), POLLIN, 0}, {children_.wake_fd(), POLLIN, 0}};
        poly::retry_eintr([&] { return ::poll(fds, 2, static_cast<int>(timeout.count())); });
        return fds[0].revents == 0;
    }

    [[nodiscard]] unsigned current_workers() const {
        return static_cast<unsigned>(
            std::count_if(workers_.begin(), workers_.end(),
                          [&](const Worker& w) { return w.generation == generation_; }));
    }

    // Starts workers of the current generation up to the pool size, unless backing off.
    void fill() {
        if (clock::now() < next_spawn_) return;
        for (unsigned have = current_workers(); have < size_; ++have) {
            std::shared_ptr<const server::Runtime> rt = ctx_.runtime();
            const pid_t pid = children_.spawn(ctx_.shutdown, [&] { return worker_main(ctx_, rt); });
            if (pid < 0) {
                spdlog::error("prefork: fork: {}", std::strerror(errno));
                back_off();
                return;
            }
            workers_.push_back({pid, generation_, clock::now()});
            ++count_.spawned;
        }
    }

    // Returns true when the worker died young (counts toward the back-off).
    bool on_exit(pid_t pid, int status) {
        ctx_.stats.settle_process(pid);  // a killed worker never closed its connection's count
        const auto it = std::find_if(workers_.begin(), workers_.end(),
                                     [&](const Worker& w) { return w.pid == pid; });
        if (it == workers_.end()) return false;
        const Worker w = *it;
        workers_.erase(it);
        if (stopping_ || w.generation != generation_) return false;  // asked to leave
        const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (clean) {
            ++count_.recycled;  // --max-requests-per-worker, or someone sent it SIGTERM
            spdlog::debug("prefork: worker {} left; replacing it", pid);
        } else {
            ++count_.died;
            spdlog::warn("prefork: worker {} {}; replacing it", pid,
                         server::describe_wait_status(status));
        }
        const bool young = clock::now() - w.started < fast_death;
        if (!young) failures_ = 0;
        return !clean && young;
    }

    // One young death (or failed fork) is replaced at once; from the second in a row the
    // next start waits 100 ms, doubling up to max_backoff, so a crash loop cannot spin.
    void back_off() {
        if (++failures_ < 2) return;
        const auto delay =
            std::min<clock::duration>(100ms * (1LL << std::min(failures_ - 2, 10u)), max_backoff);
        next_spawn_ = clock::now() + delay;
        spdlog::warn("prefork: workers keep dying young ({} in a row); next start in {} ms",
                     failures_,
                     std::chrono::duration_cast<std::chrono::milliseconds>(delay).count());
    }

    // Like Apache's "server reached MaxRequestWorkers": when clients have been waiting in the
    // backlog for a second (every worker busy, e.g. held by keep-alive clients), say so, at
    // most every 10 s. Sampled at each wake-up (every 200 ms at least) with a zero timeout.
    void watch_saturation() {
        std::vector<pollfd> fds;
        for (const server::Listener& l : ctx_.listeners) fds.push_back({l.fd(), POLLIN, 0});
        const auto now = clock::now();
        if (poly::retry_eintr([&] { return ::poll(fds.data(), fds.size(), 0); }) <= 0) {
            waiting_since_ = {};
            return;
        }
        if (waiting_since_ == clock::time_point{}) waiting_since_ = now;
        if (now - waiting_since_ < 1s || saturation_log_.admit(now) == 0) return;
        spdlog::warn(
            "prefork: all {} workers busy and clients waiting in the backlog for {} ms; "
            "consider raising --workers (each worker serves one connection)",
            size_,
            std::chrono::duration_cast<std::chrono::milliseconds>(now - waiting_since_).count());
    }

    void reload() {
        const std::uint64_t old_generation = generation_;
        generation_ = ctx_.generation();
        size_ = pool_size(ctx_.runtime()->cfg);
        failures_ = 0;
        next_spawn_ = {};
        fill();  // the new generation accepts before the old one leaves: no gap
        std::size_t retiring = 0;
        for (const Worker& w : workers_) {
            if (w.generation == generation_) continue;
            children_.signal(w.pid, SIGTERM);
            ++retiring;
        }
        spdlog::info(
            "prefork: reload (generation {} -> {}): {} workers started, {} finishing "
            "their connection",
            old_generation, generation_, current_workers(), retiring);
    }

    void stop() {
        stopping_ = true;
        const auto grace = ctx_.runtime()->cfg.shutdown_timeout;
        server::announce_stop(ctx_);  // before this model's own lines about the stop
        const auto out = children_.stop_all(grace, ctx_.shutdown, ctx_.stats,
                                            [&](pid_t pid, int status) { on_exit(pid, status); });
        ctx_.shutdown.count_cut(out.cut);
        const auto connections = ctx_.stats.connections_total.load(std::memory_order_relaxed);
        spdlog::info("prefork: {} worker{} started in all, {} recycled, {} died; {} connection{}",
                     count_.spawned, poly::plural(count_.spawned), count_.recycled, count_.died,
                     connections, poly::plural(connections));
    }

    server::Context& ctx_;
    server::Children children_;
    std::vector<Worker> workers_;  // live ones, every generation
    std::uint64_t generation_ = 0;
    unsigned size_ = 0;
    unsigned failures_ = 0;  // consecutive young deaths
    clock::time_point next_spawn_{};
    clock::time_point waiting_since_{};  // clients queued since, or {}
    server::LogThrottle saturation_log_{10s};
    bool stopping_ = false;
    struct {
        std::uint64_t spawned = 0, recycled = 0, died = 0;  // for the summary at the stop
    } count_;
};

}  // namespace

constexpr std::string_view prefork_reads[] = {"workers", "max-requests-per-worker"};

extern constinit const server::Model prefork_model{
    "prefork", "a supervised pool of --workers processes (default 8) on one listener",
    &server::run_server<Pool>, prefork_reads};

}  // namespace models
