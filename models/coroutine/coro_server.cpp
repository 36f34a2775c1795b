#include "models/coroutine/coro_server.hpp"

#include <sys/socket.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "server/sys/accept_once.hpp"
#include "server/conn/conn_state.hpp"
#include "models/coroutine/coro_loop.hpp"
#include "base/syscall.hpp"
#include "models/coroutine/task.hpp"
#include "server/conn/transfer.hpp"

namespace server {
namespace {

using namespace std::chrono_literals;

// Syscalls one connection makes before it yields to the others (as the reactor's budget).
constexpr int pump_budget = 64;
// Connections accepted per wake-up before the acceptor yields; the listener is level-
// triggered, so the rest are reported again next turn.
constexpr int accept_batch = 64;
// Lingering close: up to this many 50 ms waits for more request bytes, 256 KiB at most.
constexpr int linger_waits = 10;
constexpr auto linger_wait = 50ms;
constexpr std::size_t linger_max_bytes = 256 * 1024;

// Timer kinds beyond Deadline::kind()'s 0..2; each kind has a single duration.
constexpr std::size_t linger_kind = 3;
constexpr std::size_t pause_kind = 4;  // the acceptor's pause; one Watch per loop uses it
static_assert(pause_kind < CoroLoop::timer_kinds);

// Shared by all loops of one run.
struct Shared {
    Context& ctx;
    unsigned max_connections;
    std::atomic<unsigned> open{0};  // enforces --max-connections server-wide
};

// Holds one of the server-wide connection slots for a connection's life.
class OpenSlot {
public:
    explicit OpenSlot(std::atomic<unsigned>& n) noexcept : n_(n) {
        n_.fetch_add(1, std::memory_order_relaxed);
    }
    ~OpenSlot() { n_.fetch_sub(1, std::memory_order_relaxed); }
    OpenSlot(const OpenSlot&) = delete;
    OpenSlot& operator=(const OpenSlot&) = delete;

private:
    std::atomic<unsigned>& n_;
};

// One connection's state, a local of its coroutine frame. The Watch (derived, so destroyed
// first) deregisters from epoll before the socket closes.
struct Conn : ConnState {
    Conn(CoroLoop& loop, poly::UniqueFd s, std::string_view peer, Context& ctx)
        : ConnState(std::move(s), peer, ctx, loop.now()), watch(loop, fd.get()) {}

    Watch watch;
};

// One recv into the loop's buffer, parsed before anything can suspend (the buffer is shared).
IoResult receive(CoroLoop& loop, Conn& c) {
    if (!c.watch.readable_hint()) return {IoStatus::would_block, 0, 0};
    const auto buf = loop.scratch();
    const ssize_t n = poly::retry_eintr([&] { return ::recv(c.fd.get(), buf.data(), buf.size(), 0); });
    if (n < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) return {IoStatus::error, 0, errno};
        c.watch.drained();
        return {IoStatus::would_block, 0, 0};
    }
    const auto got = static_cast<std::size_t>(n);
    if (got < buf.size()) c.watch.drained();  // a short read proves the queue empty
    c.http.on_data(buf.first(got));
    return {got == 0 ? IoStatus::closed : IoStatus::progress, got, 0};
}

// Before every wait: the deadline of the connection's current phase bounds it.
void arm_deadline(CoroLoop& loop, Conn& c, bool progress) {
    c.deadline.update(c.http.phase(), progress, loop.now());
    c.watch.set_deadline(static_cast<std::size_t>(c.deadline.kind()), c.deadline.at());
}

void on_wake(Conn& c, Wake why) {
    switch (why) {
        case Wake::ready: break;
        case Wake::timeout: c.http.on_timeout(); break;   // 408 for a partial head, else close
        case Wake::stop: c.http.shutdown(); break;        // idle: close; in flight: finish
        case Wake::error: c.http.abort(); break;
    }
}

// The blocking driver's loop: syscall first, and co_await only where it would block.
Task<> serve(CoroLoop& loop, Conn& c) {
    bool progress = false;
    int budget = pump_budget;
    for (http::Want want = c.http.want(); want != http::Want::close; want = c.http.want()) {
        const IoResult r = want == http::Want::read ? receive(loop, c) : send_from(c.fd.get(), c.http);
        if (r.status == IoStatus::error) {
            spdlog::debug("fd {}: {}", c.fd.get(), std::strerror(r.error));
            c.http.abort();
            break;
        }
        Wake why = Wake::ready;
        if (r.status != IoStatus::would_block) {
            progress = progress || r.bytes > 0;
            if (--budget > 0) continue;
            arm_deadline(loop, c, progress);  // used up its turn: the others go first
            why = co_await c.watch.yield();
        } else if (want == http::Want::read) {
            arm_deadline(loop, c, progress);
            why = co_await c.watch.readable();
        } else {
            arm_deadline(loop, c, progress);
            why = co_await c.watch.writable();
        }
        progress = false;
        budget = pump_budget;
        on_wake(c, why);
    }
}

// After a close that may leave request bytes unread (an error, a refused body), closing at
// once makes the kernel answer them with RST, which can destroy the response before the
// client reads it. Half-close, then drain briefly (nginx's lingering close).
Task<> linger(CoroLoop& loop, Conn& c) {
    ::shutdown(c.fd.get(), SHUT_WR);
    std::size_t total = 0;
    for (int waits = 0; total < linger_max_bytes && waits < linger_waits;) {
        const auto buf = loop.scratch();
        const ssize_t n = poly::retry_eintr([&] { return ::recv(c.fd.get(), buf.data(), buf.size(), 0); });
        if (n > 0) {
            total += static_cast<std::size_t>(n);
            continue;
        }
        if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) co_return;
        c.watch.drained();
        c.watch.set_deadline(linger_kind, loop.now() + linger_wait);
        ++waits;
        const Wake why = co_await c.watch.readable();
        if (why == Wake::timeout || why == Wake::error) co_return;  // a stop keeps lingering
    }
}

Detached connection(CoroLoop& loop, Shared& sh, poly::UniqueFd fd, std::string peer) {
    const OpenSlot slot(sh.open);
    Conn c(loop, std::move(fd), peer, sh.ctx);
    if (!c.watch.registered()) {
        spdlog::warn("epoll add fd {}: {}", c.fd.get(), std::strerror(errno));
        c.http.abort();
        co_return;
    }
    try {
        co_await serve(loop, c);
        if (c.http.wants_linger()) co_await linger(loop, c);
    } catch (const std::exception& e) {  // from the HTTP code (bad_alloc): this connection only
        spdlog::error("{}: connection ended by an exception: {}", peer, e.what());
        c.http.abort();
    }
}

enum class AcceptEnd { stop, full, no_resources };

// Accepts while the listener is registered with this loop; returns why it stopped. The
// listener is unregistered on return (its Watch dies), so a paused loop is not woken by it.
Task<AcceptEnd> accept_while_listening(CoroLoop& loop, Shared& sh) {
    const int lfd = sh.ctx.listener.fd();
    Watch listener(loop, lfd, true);
    if (!listener.registered()) {
        spdlog::error("coroutine loop: cannot watch the listener: {}", std::strerror(errno));
        co_return AcceptEnd::no_resources;
    }
    while (!loop.stopping()) {
        int accepted = 0;
        for (; accepted < accept_batch; ++accepted) {
            if (sh.open.load(std::memory_order_relaxed) >= sh.max_connections) co_return AcceptEnd::full;
            Accepted a = accept_once(lfd);
            if (!a.fd) {
                if (out_of_resources(errno)) {
                    log_accept_pause(errno, event_loop_resource_pause);
                    co_return AcceptEnd::no_resources;
                }
                listener.drained();  // EAGAIN: another loop may have won the race
                break;
            }
            loop.spawn(connection(loop, sh, std::move(a.fd), std::move(a.peer)));
        }
        Wake why = Wake::ready;
        if (accepted == accept_batch) why = co_await listener.yield();
        else why = co_await listener.readable();
        if (why == Wake::stop) break;
    }
    co_return AcceptEnd::stop;
}

Detached acceptor(CoroLoop& loop, Shared& sh) {
    Watch pause(loop);  // no descriptor: waits out accept pauses (and hears the stop)
    for (;;) {
        const AcceptEnd end = co_await accept_while_listening(loop, sh);
        if (end == AcceptEnd::stop || loop.stopping()) co_return;
        const auto wait = end == AcceptEnd::full ? 10ms : event_loop_resource_pause;
        pause.set_deadline(pause_kind, loop.now() + wait);
        if (co_await pause.until_deadline() == Wake::stop) co_return;
    }
}

}  // namespace

std::error_code run_coroutine_loops(Context& ctx) {
    const auto rt = ctx.runtime();
    const unsigned workers = config::resolve_workers(rt->cfg.workers);
    Shared sh{ctx, rt->cfg.max_connections};
    CoroLoop::Options opt;
    opt.stop_fd = ctx.shutdown.wake_fd();
    opt.drain_timeout = [&ctx] { return ctx.runtime()->cfg.shutdown_timeout; };
    std::vector<std::unique_ptr<CoroLoop>> loops;
    try {
        for (unsigned i = 0; i < workers; ++i) loops.push_back(std::make_unique<CoroLoop>(opt));
    } catch (const std::system_error& e) {
        return e.code();
    }
    ctx.listener.set_nonblocking(true);
    const auto serve_on = [&sh](CoroLoop& loop) {
        loop.spawn(acceptor(loop, sh));
        loop.run();
    };
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < workers; ++i) threads.emplace_back(serve_on, std::ref(*loops[i]));
    serve_on(*loops[0]);
    for (auto& t : threads) t.join();
    loops.clear();
    // run() destroyed what it had not finished; a frame left now would be a leak (a bug).
    if (const std::size_t n = Detached::live_frames(); n != 0)
        spdlog::error("coroutine model: {} coroutine frames outlived their loops", n);
    return {};
}

}  // namespace server
