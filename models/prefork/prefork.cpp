// prefork: a master and a pool of worker processes (Apache's prefork MPM; the seed's process
// pool). Each worker waits for a connection on the listeners it inherited and serves one
// connection at a time with serve_blocking(); the master never touches a connection. Memory
// per connection is a whole process, but processes are reused, so the connection rate is not
// bounded by fork(); concurrency is bounded by the pool: a slow or idle keep-alive client
// holds a whole worker.
//
// The pool adapts (pool_policy.hpp; --workers N keeps a fixed pool instead): each worker
// writes its state into the scoreboard (server/obs/scoreboard.hpp); one that takes a
// connection while fewer than --min-spare are idle wakes the master through the scoreboard's
// eventfd, and the master forks what is missing at once, up to --max-workers. Better than
// Apache's once-a-second maintenance, which forks 1, 2, 4 ... 32 per second: a burst is met
// in milliseconds. Idle workers beyond --max-spare are retired every --retire-interval (an
// eighth of the extra, at least one; Apache retires one per second). At --max-workers with no
// idle worker and clients in the backlog, the master offers one token per waiting client, and
// a worker whose keep-alive client idled a second gives it up (blocking_driver.hpp).
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
// at once when the pool needs it (a fixed pool always, an adaptive one when fewer than
// --min-spare workers are left spare); when workers keep dying within a second of their start, the
// next start waits, 100 ms doubling up to 10 s. --max-requests-per-worker makes a worker exit after
// the connection that reached the count, and the master replaces it. Stop (SIGTERM/SIGINT) is
// forwarded to every worker: each finishes its connection, the master waits up to
// --shutdown-timeout (or a second SIGTERM/SIGINT), then has the rest cut their connections
// (Children::stop_all). Reload (the control thread publishes a new configuration and bumps
// ctx.generation(), polled every 200 ms): a new generation of workers starts with the new
// snapshot, then the old ones get the retire order (SIGWINCH) and leave after their connection.
#include <poll.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstring>
#include <optional>
#include <vector>

#include <spdlog/spdlog.h>

#include "base/plural.hpp"
#include "base/syscall.hpp"
#include "models/prefork/pool_policy.hpp"
#include "models/prefork/worker.hpp"
#include "server/conn/blocking_driver.hpp"
#include "server/obs/log_throttle.hpp"
#include "server/obs/scoreboard.hpp"
#include "server/proc/children.hpp"
#include "server/runtime/model.hpp"

namespace models {
namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto generation_poll = 200ms;
constexpr auto fast_death = 1s;  // a worker dying younger than this counts toward back-off
constexpr auto max_backoff = 10s;

// Scoreboard slots: twice the largest pool (Apache's ServerLimit), so that on a reload the
// new generation can start in full while the old one finishes its connections. Sized at
// start: a reload may not raise the pool above half of it (logged).
std::size_t slot_count(const config::Config& cfg) {
    return 2 * std::size_t{pool_settings(cfg).max_workers};
}

// Keeps Stats::scoreboard pointing at the pool's scoreboard while it exists.
struct Published {
    Published(server::Stats& s, const server::Scoreboard& b) : stats(s) { stats.scoreboard = &b; }
    ~Published() { stats.scoreboard = nullptr; }
    Published(const Published&) = delete;
    Published& operator=(const Published&) = delete;
    server::Stats& stats;
};

class Pool {
public:
    explicit Pool(server::Context& ctx)
        : ctx_(ctx), board_(slot_count(ctx.runtime()->cfg)), published_(ctx.stats, board_) {}

    // Throws std::system_error when the listener cannot be made non-blocking (run_server
    // returns it).
    std::error_code run() {
        ctx_.listeners.set_nonblocking(true);
        generation_ = ctx_.generation();
        configure();
        maintain(false);
        if (workers_.empty())  // fork failed at once: nothing would ever serve
            return std::make_error_code(std::errc::resource_unavailable_try_again);
        log_pool("prefork");
        while (wait()) {
            board_.take_wake();  // before the counts: a later change wakes us again
            bool fast = false;
            children_.reap([&](pid_t pid, int status) { fast |= on_exit(pid, status); });
            if (fast) back_off();
            if (ctx_.generation() != generation_) reload();
            maintain(retire_due());
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
        std::size_t slot;
        bool retiring = false;
    };

    // The settings of the current configuration, within the scoreboard.
    void configure() {
        const config::Config& cfg = ctx_.runtime()->cfg;
        settings_ = pool_settings(cfg);
        const config::Config defaults;
        if (settings_.fixed != 0 &&
            (cfg.min_spare != defaults.min_spare || cfg.max_spare != defaults.max_spare ||
             cfg.max_workers != defaults.max_workers))
            spdlog::warn(
                "prefork: --workers fixes the pool; --min-spare, --max-spare and "
                "--max-workers are ignored");
        const auto limit = static_cast<unsigned>(board_.size() / 2);
        if (settings_.max_workers > limit) {
            spdlog::warn("prefork: a pool of {} needs a restart; keeping at most {} workers",
                         settings_.max_workers, limit);
            settings_.max_workers = limit;
            if (settings_.fixed != 0) settings_.fixed = limit;
        }
        next_retire_ = clock::now() + cfg.retire_interval;
    }

    void log_pool(std::string_view what) const {
        if (settings_.fixed != 0) {
            const bool per_core = ctx_.runtime()->cfg.workers == 0;
            spdlog::info("{}: {} worker{} (fixed by --workers{})", what, settings_.fixed,
                         poly::plural(settings_.fixed), per_core ? " auto: one per core" : "");
            return;
        }
        spdlog::info("{}: adaptive pool of {} to {} workers, {} to {} idle", what,
                     settings_.min_spare, settings_.max_workers, settings_.min_spare,
                     settings_.max_spare);
    }

    // Blocks until a worker ends or asks for more, the stop, the next generation check, the
    // retire pace or the end of a back-off; false on stop.
    bool wait() const {
        const auto now = clock::now();
        auto until = now + generation_poll;
        if (next_spawn_ > now) until = std::min(until, next_spawn_);
        if (settings_.fixed == 0) until = std::min(until, next_retire_);
        const auto timeout =
            std::clamp(std::chrono::ceil<std::chrono::milliseconds>(until - now), 0ms,
                       std::chrono::duration_cast<std::chrono::milliseconds>(generation_poll));
        pollfd fds[3] = {{ctx_.shutdown.wake_fd(), POLLIN, 0},
                         {children_.wake_fd(), POLLIN, 0},
                         {board_.wake_fd(), POLLIN, 0}};
        poly::retry_eintr([&] { return ::poll(fds, 3, static_cast<int>(timeout.count())); });
        return fds[0].revents == 0;
    }

    bool retire_due() {
        const auto now = clock::now();
        if (now < next_retire_) return false;
        next_retire_ = now + ctx_.runtime()->cfg.retire_interval;
        return true;
    }

    // The current generation's workers as the policy sees them; a worker asked to retire
    // is on its way out and counts for nothing.
    PoolView view() const {
        PoolView v;
        for (const Worker& w : workers_) {
            if (w.generation != generation_ || w.retiring) continue;
            ++v.live;
            const auto st = board_.slot(w.slot).state.load(std::memory_order_relaxed);
            if (st == server::WorkerState::idle) ++v.idle;
            if (st == server::WorkerState::starting) ++v.starting;
        }
        return v;
    }

    // Applies the policy: forks what is missing (unless backing off), retires extra idle
    // workers when due, and tells the workers whether leaving idle should wake us: not while
    // the pool is full, since only an exit (SIGCHLD wakes us anyway) makes room then.
    void maintain(bool retire_now) {
        const PoolView before = view();
        const PoolStep step = plan(before, settings_, retire_now);
        if (clock::now() >= next_spawn_)
            for (unsigned i = 0; i < step.start && spawn(); ++i) {
            }
        if (step.retire != 0) retire(step.retire);
        const bool room = settings_.fixed == 0 && view().live < settings_.max_workers;
        board_.set_min_spare(room ? settings_.min_spare : 0);
    }

    bool spawn() {
        const std::optional<std::size_t> slot = board_.claim(generation_);
        if (!slot) {
            if (full_log_.admit(clock::now()) != 0)
                spdlog::warn("prefork: all {} scoreboard slots taken (old workers still finishing)",
                             board_.size());
            return false;
        }
        std::shared_ptr<const server::Runtime> rt = ctx_.runtime();
        const WorkerSetup setup{board_, *slot, tokens_.fd()};
        const pid_t pid =
            children_.spawn(ctx_.shutdown, [&] { return worker_main(ctx_, rt, setup); });
        if (pid < 0) {
            spdlog::error("prefork: fork: {}", std::strerror(errno));
            board_.release(*slot);
            back_off();
            return false;
        }
        board_.slot(*slot).pid.store(pid, std::memory_order_relaxed);
        workers_.push_back({pid, generation_, clock::now(), *slot});
        ++count_.spawned;
        return true;
    }

    // The retire order (SIGWINCH) to the idle workers in the highest slots (the table stays
    // dense): an idle worker leaves at once; one that took a connection in the meantime
    // answers it first (a SIGTERM would close a connection that has sent nothing yet).
    void retire(unsigned n) {
        std::vector<Worker*> idle;
        for (Worker& w : workers_)
            if (w.generation == generation_ && !w.retiring &&
                board_.slot(w.slot).state.load(std::memory_order_relaxed) ==
                    server::WorkerState::idle)
                idle.push_back(&w);
        std::sort(idle.begin(), idle.end(), [](auto* a, auto* b) { return a->slot > b->slot; });
        for (std::size_t i = 0; i < idle.size() && i < n; ++i) {
            idle[i]->retiring = true;
            children_.signal(idle[i]->pid, SIGWINCH);
            ++count_.retired;
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
        board_.release(w.slot);
        if (stopping_ || w.retiring || w.generation != generation_) return false;  // asked to leave
        const bool clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (clean) {
            ++count_.recycled;  // --max-requests-per-worker, or someone sent it SIGTERM/SIGWINCH
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

    // The saturation rule: at the pool's maximum with no worker idle, one token per client
    // in the backlog (blocking_driver.hpp: an idle keep-alive connection takes one and
    // closes). And like Apache's "server reached MaxRequestWorkers": when clients have been
    // waiting for a second, say so, at most every 10 s. Sampled at each wake-up (every 200 ms
    // at least).
    void watch_saturation() {
        const PoolView v = view();
        const bool full = v.live >= settings_.max_workers && v.idle == 0 && v.starting == 0;
        const std::uint64_t waiting = full ? server::queued_clients(ctx_.listeners) : 0;
        tokens_.offer(waiting);
        const auto now = clock::now();
        if (waiting == 0) {
            waiting_since_ = {};
            return;
        }
        if (waiting_since_ == clock::time_point{}) waiting_since_ = now;
        if (now - waiting_since_ < 1s || saturation_log_.admit(now) == 0) return;
        spdlog::warn(
            "prefork: all {} workers busy and {} client{} waiting in the backlog for {} ms; "
            "idle keep-alive clients give their worker up after {} s; consider raising {}",
            v.live, waiting, poly::plural(waiting),
            std::chrono::duration_cast<std::chrono::milliseconds>(now - waiting_since_).count(),
            std::chrono::duration_cast<std::chrono::seconds>(server::saturated_keepalive).count(),
            settings_.fixed != 0 ? "--workers" : "--max-workers");
    }

    void reload() {
        const std::uint64_t old_generation = generation_;
        generation_ = ctx_.generation();
        configure();
        failures_ = 0;
        next_spawn_ = {};
        maintain(false);  // the new generation accepts before the old one leaves: no gap
        std::size_t retiring = 0;
        for (const Worker& w : workers_) {
            if (w.generation == generation_) continue;
            children_.signal(w.pid, SIGWINCH);
            ++retiring;
        }
        spdlog::info(
            "prefork: reload (generation {} -> {}): {} workers started, {} finishing "
            "their connection",
            old_generation, generation_, view().live, retiring);
        log_pool("prefork: reload");
    }

    void stop() {
        stopping_ = true;
        tokens_.offer(0);
        const auto grace = ctx_.runtime()->cfg.shutdown_timeout;
        server::announce_stop(ctx_);  // before this model's own lines about the stop
        const auto out = children_.stop_all(grace, ctx_.shutdown, ctx_.stats,
                                            [&](pid_t pid, int status) { on_exit(pid, status); });
        ctx_.shutdown.count_cut(out.cut);
        const auto connections = ctx_.stats.connections_total.load(std::memory_order_relaxed);
        spdlog::info(
            "prefork: {} worker{} started in all, {} retired idle, {} recycled, {} died; {} "
            "connection{}",
            count_.spawned, poly::plural(count_.spawned), count_.retired, count_.recycled,
            count_.died, connections, poly::plural(connections));
    }

    server::Context& ctx_;
    server::Scoreboard board_;  // before the workers: they write it until they are reaped
    Published published_;
    server::SaturationTokens tokens_;
    server::Children children_;
    std::vector<Worker> workers_;  // live ones, every generation
    std::uint64_t generation_ = 0;
    PoolSettings settings_;
    unsigned failures_ = 0;  // consecutive young deaths
    clock::time_point next_spawn_{};
    clock::time_point next_retire_{};
    clock::time_point waiting_since_{};  // clients queued since, or {}
    server::LogThrottle saturation_log_{10s};
    server::LogThrottle full_log_{10s};
    bool stopping_ = false;
    struct {
        std::uint64_t spawned = 0, retired = 0, recycled = 0, died = 0;  // for the stop's summary
    } count_;
};

}  // namespace

constexpr std::string_view prefork_reads[] = {"workers",     "max-requests-per-worker",
                                              "min-spare",   "max-spare",
                                              "max-workers", "retire-interval"};

extern constinit const server::Model prefork_model{
    "prefork",
    "a supervised pool of processes on one listener, adaptive (5 to 10 idle, 256 at most) or "
    "--workers N",
    &server::run_server<Pool>, prefork_reads};

}  // namespace models
