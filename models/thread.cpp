// thread: one thread per connection. The main thread accepts (accept_blocking) and starts a
// joinable thread per connection that runs serve_blocking() to the end; finished threads are
// joined by the main thread, so the thread count follows the number of open connections and
// falls back to its baseline when clients leave.
//
// --max-connections caps live threads: at the cap the main thread stops accepting until one
// ends (clients wait in the backlog), and offers a token per waiting client, so that a
// connection idle in keep-alive for a second gives its thread up (the saturation rule,
// server/conn/blocking_driver.hpp). Stacks are small (256 KiB): a connection thread needs a
// few KiB (http::Connection keeps its buffers on the heap), while the default 8 MiB stack
// (RLIMIT_STACK) would reserve 80 GiB of address space for 10,000 connections, which strict
// overcommit (vm.overcommit_memory=2) or `ulimit -v` refuse. Memory per connection is then
// the touched part of that stack plus the kernel task, and a slow client holds one thread.
//
// Stop: the threads watch the process's stop pipe inside serve_blocking(), so idle keep-alive
// connections close at once and responses in flight finish; the main thread joins them all
// within --shutdown-timeout (or until a second SIGINT/SIGTERM) and then cuts the stragglers'
// sockets (shutdown(SHUT_RDWR)) so their threads return and can be joined before run() does:
// no thread ever outlives the Context it uses.
#include <poll.h>
#include <pthread.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "base/syscall.hpp"
#include "server/conn/blocking_driver.hpp"
#include "server/obs/log_throttle.hpp"
#include "server/runtime/model.hpp"
#include "server/sys/acceptor.hpp"

namespace models {
namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

// How often a server at its cap counts the clients in the backlog (the saturation rule).
constexpr int saturation_poll_ms = 200;

#if defined(__SANITIZE_ADDRESS__)
constexpr std::size_t stack_size = 1024 * 1024;  // ASan's redzones make frames several times larger
#else
constexpr std::size_t stack_size = 256 * 1024;
#endif

// The threads serving connections, owned by the main thread. start() and the joins run on the
// main thread; a connection thread only reports its end (finished()).
class ConnectionThreads {
public:
    explicit ConnectionThreads(const server::Context& ctx) : ctx_(ctx) {
        done_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
        if (!done_) throw std::system_error(errno, std::generic_category(), "eventfd");
        ::pthread_attr_init(&attr_);
        ::pthread_attr_setstacksize(&attr_, stack_size);
    }
    ~ConnectionThreads() {
        join_all();
        ::pthread_attr_destroy(&attr_);
    }
    ConnectionThreads(const ConnectionThreads&) = delete;
    ConnectionThreads& operator=(const ConnectionThreads&) = delete;

    // At the cap: one per client waiting for a thread (the saturation rule).
    void offer_tokens(std::uint64_t n) noexcept { tokens_.offer(n); }

    // Readable after a thread finished.
    [[nodiscard]] int done_fd() const noexcept { return done_.get(); }

    [[nodiscard]] std::size_t live() {
        const std::lock_guard lock(mu_);
        return threads_.size();
    }

    // 0, or pthread_create's error (EAGAIN: out of threads or memory), the connection then
    // closed here.
    int start(server::Accepted c) {
        auto job = std::make_unique<Job>(Job{this, 0, std::move(c)});
        struct stat st {};
        ::fstat(job->conn.fd.get(), &st);
        const int fd = job->conn.fd.get();
        const std::lock_guard lock(mu_);  // held until the entry is complete
        job->id = ++next_id_;
        // Everything that allocates happens before the thread exists: once it runs, nothing
        // here may throw. finished_ never holds more ids than threads_ has entries, so with
        // this capacity the push_back in finished() cannot allocate on a connection thread.
        const auto entry = threads_.emplace(job->id, Entry{{}, fd, st.st_ino}).first;
        if (finished_.capacity() < threads_.size()) finished_.reserve(threads_.size() * 2);
        const int err = ::pthread_create(&entry->second.tid, &attr_, &thread_main, job.get());
        if (err != 0) {
            threads_.erase(entry);
            return err;  // job (and the connection) destroyed on return
        }
        job.release();  // the thread owns it now
        return 0;
    }

    // Joins the threads that have finished; never blocks on a running one.
    void join_finished() {
        std::uint64_t count = 0;
        [[maybe_unused]] const auto n = ::read(done_.get(), &count, sizeof count);
        std::vector<pthread_t> ended;
        {
            const std::lock_guard lock(mu_);
            for (const std::uint64_t id : finished_) {
                ended.push_back(threads_.at(id).tid);
                threads_.erase(id);
            }
            finished_.clear();
        }
        for (const pthread_t t : ended) ::pthread_join(t, nullptr);
    }

    // Joins threads as they finish until none is left, the deadline passes or interrupt_fd
    // turns readable; returns how many are still running.
    std::size_t join_until(clock::time_point deadline, int interrupt_fd = -1) {
        for (bool interrupted = false;;) {
            join_finished();
            const std::size_t left = live();
            const auto ms = std::chrono::ceil<std::chrono::milliseconds>(deadline - clock::now());
            if (left == 0 || ms.count() <= 0 || interrupted) return left;
            pollfd p[2] = {{done_.get(), POLLIN, 0}, {interrupt_fd, POLLIN, 0}};
            poly::retry_eintr([&] { return ::poll(p, 2, static_cast<int>(ms.count())); });
            interrupted = p[1].revents != 0;
        }
    }

    // Shuts down the sockets of the threads still serving, which wakes their poll() and fails
    // their next send: they return promptly. The inode check skips an entry whose thread has
    // just closed its socket (the number may then name a file another thread opened; no
    // socket can take it, the main thread no longer accepts).
    void cut_stragglers() {
        const std::lock_guard lock(mu_);
        for (const auto& [id, e] : threads_) {
            struct stat st {};
            if (::fstat(e.fd, &st) == 0 && S_ISSOCK(st.st_mode) && st.st_ino == e.ino)
                ::shutdown(e.fd, SHUT_RDWR);
        }
    }

    void join_all() {
        while (live() > 0) join_until(clock::now() + 1s);
    }

private:
    struct Job {
        ConnectionThreads* owner;
        std::uint64_t id;
        server::Accepted conn;
    };
    struct Entry {
        pthread_t tid;
        int fd;     // the connection's descriptor, for cut_stragglers()
        ino_t ino;  // ... and the socket's identity
    };

    static void* thread_main(void* arg) {
        const std::unique_ptr<Job> job(static_cast<Job*>(arg));
        server::serve_blocking(std::move(job->conn), job->owner->ctx_, {},
                               {nullptr, job->owner->tokens_.fd()});
        job->owner->finished(job->id);
        return nullptr;
    }

    void finished(std::uint64_t id) noexcept {
        {
            const std::lock_guard lock(mu_);
            finished_.push_back(id);  // capacity reserved by start()
        }
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto n = ::write(done_.get(), &one, sizeof one);
    }

    const server::Context& ctx_;
    poly::UniqueFd done_;  // eventfd: counts finished threads
    server::SaturationTokens tokens_;
    pthread_attr_t attr_{};
    std::mutex mu_;
    std::unordered_map<std::uint64_t, Entry> threads_;
    std::vector<std::uint64_t> finished_;
    std::uint64_t next_id_ = 0;
};

class ThreadServer {
public:
    explicit ThreadServer(server::Context& ctx) : ctx_(ctx), threads_(ctx) {}

    std::error_code run() {
        for (;;) {
            threads_.join_finished();
            if (!wait_below_cap()) break;
            server::Accepted c = server::accept_blocking(ctx_.listeners, ctx_.shutdown, turn_);
            if (!c.fd) break;  // stop requested
            if (const int err = threads_.start(std::move(c)); err != 0) {
                // The connection was closed; out of threads or memory: let some finish.
                spdlog::warn("thread: cannot start a thread: {}; connection dropped",
                             std::strerror(err));
                std::this_thread::sleep_for(50ms);
            }
        }
        drain();
        return {};
    }

private:
    // At the cap, waits for a thread to finish; false on stop. Meanwhile the clients in the
    // backlog are counted every saturation_poll and offered as tokens.
    bool wait_below_cap() {
        for (;;) {
            const std::size_t cap = ctx_.runtime()->cfg.max_connections;
            const bool at_cap = threads_.live() >= cap;
            threads_.offer_tokens(at_cap ? server::queued_clients(ctx_.listeners) : 0);
            if (!at_cap) return true;
            if (cap_log_.admit() != 0)  // a busy server hits the cap constantly
                spdlog::warn(
                    "thread: {} connections, the --max-connections cap: new clients "
                    "wait in the backlog",
                    cap);
            pollfd fds[2] = {{ctx_.shutdown.wake_fd(), POLLIN, 0}, {threads_.done_fd(), POLLIN, 0}};
            poly::retry_eintr([&] { return ::poll(fds, 2, saturation_poll_ms); });
            if (fds[0].revents != 0) return false;
            threads_.join_finished();
        }
    }

    // The threads do not watch the second stop signal themselves: this thread alone decides
    // what is cut, so each cut connection is counted once.
    void drain() {
        const auto grace = ctx_.runtime()->cfg.shutdown_timeout;
        const std::size_t left =
            threads_.join_until(clock::now() + grace, ctx_.shutdown.urgent_fd());
        if (left > 0) {
            ctx_.shutdown.count_cut(left);
            threads_.cut_stragglers();
            threads_.join_all();
        }
    }

    server::Context& ctx_;
    ConnectionThreads threads_;
    std::size_t turn_ = 0;  // accept_blocking's turn over the listeners
    server::LogThrottle cap_log_{10s};
};

}  // namespace

extern constinit const server::Model thread_model{
    "thread", "a thread per connection (256 KiB stacks); capped by --max-connections",
    &server::run_server<ThreadServer>};

}  // namespace models
