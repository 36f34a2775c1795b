#include "models/coroutine/coro_server.hpp"

#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <string>

#include <spdlog/spdlog.h>

#include "base/syscall.hpp"
#include "models/coroutine/coro_loop.hpp"
#include "models/coroutine/task.hpp"
#include "server/conn/conn_state.hpp"
#include "server/conn/transfer.hpp"
#include "server/loop/loop_shared.hpp"
#include "server/loop/run_workers.hpp"
#include "server/sys/accept_once.hpp"

namespace server {
namespace {

// One connection's state, a local of its coroutine frame. The Watch (derived, so destroyed
// first) deregisters from epoll before the socket closes.
struct Conn : ConnState {
    Conn(CoroLoop& loop, poly::UniqueFd s, std::string_view peer, ListenerKind kind,
         const Context& ctx)
        : ConnState(std::move(s), peer, kind, ctx, loop.now()), watch(loop, fd.get()) {}

    Watch watch;
};

// One recv into the loop's buffer, parsed before anything can suspend (the buffer is shared).
IoResult receive(CoroLoop& loop, Conn& c) {
    if (!c.watch.readable_hint()) return {IoStatus::would_block, 0, 0};
    const IoResult r = receive_via(c.fd.get(), c.session, loop.scratch());
    // EAGAIN, or a short read, which proves the queue empty.
    if (r.status == IoStatus::would_block || (r.status == IoStatus::progress && !r.full))
        c.watch.drained();
    return r;
}

// Before every wait: the deadline of the connection's current phase bounds it (re-filing an
// unchanged one is free).
void arm_deadline(Conn& c) { c.watch.set_deadline(c.deadline.kind(), c.deadline.at()); }

void on_wake(Conn& c, Wake why) {
    switch (why) {
        case Wake::ready: break;
        case Wake::timeout: c.session.on_timeout(); break;  // 408 for a partial head, else close
        case Wake::stop: c.session.shutdown(); break;       // idle: close; in flight: finish
        case Wake::error: c.session.abort(); break;
    }
}

// The blocking driver's loop: syscall first, and co_await only where it would block. The
// deadline follows every step, not only the state before a wait: one request is often read,
// answered and followed by EAGAIN with the connection idle again, and a keep-alive deadline
// judged only at the wait would never restart, cutting a busy client at --keepalive-timeout.
Task<> serve(CoroLoop& loop, Conn& c) {
    int budget = pump_budget;
    for (http::Want want = c.session.want(); want != http::Want::close; want = c.session.want()) {
        IoResult r;
        if (want == http::Want::read) {
            r = receive(loop, c);
        } else {
            c.before_write();
            r = send_from(c.fd.get(), c.session);
        }
        if (r.status == IoStatus::error) {
            spdlog::debug("fd {}: {}", c.fd.get(), std::strerror(r.error));
            c.session.abort();
            break;
        }
        c.deadline.update(c.session.phase(), r.bytes > 0, loop.now());
        Wake why = Wake::ready;
        if (r.status != IoStatus::would_block) {
            if (--budget > 0) continue;
            arm_deadline(c);  // used up its turn: the others go first
            why = co_await c.watch.yield();
        } else if (want == http::Want::read) {
            arm_deadline(c);
            why = co_await c.watch.readable();
        } else {
            arm_deadline(c);
            why = co_await c.watch.writable();
        }
        budget = pump_budget;
        on_wake(c, why);
    }
}

// Lingering close (server/conn/linger.hpp): drain, then wait for more input until the window
// (TimerKind::linger) ends. A stop does not cut the window short: it is short already.
Task<> linger(CoroLoop& loop, Conn& c) {
    c.linger.start(c.fd.get(), loop.now());
    c.watch.set_deadline(TimerKind::linger, c.linger.until());
    while (c.linger.drain(c.fd.get(), loop.scratch())) {
        c.watch.drained();
        const Wake why = co_await c.watch.readable();
        if (why == Wake::timeout || why == Wake::error) co_return;
    }
}

Detached connection(CoroLoop& loop, LoopShared& sh, poly::UniqueFd fd, std::string peer,
                    ListenerKind kind) {
    const LoopShared::Slot slot(sh);
    Conn c(loop, std::move(fd), peer, kind, sh.ctx);
    if (!c.watch.registered()) {
        spdlog::warn("epoll add fd {}: {}", c.fd.get(), std::strerror(errno));
        c.session.abort();
        co_return;
    }
    try {
        co_await serve(loop, c);
        if (c.session.wants_linger()) co_await linger(loop, c);
    } catch (const std::exception& e) {  // from the HTTP code (bad_alloc): this connection only
        spdlog::error("{}: connection ended by an exception: {}", peer, e.what());
        c.session.abort();
    }
}

enum class AcceptEnd { stop, full, no_resources };

// Accepts while the listener is registered with this loop; returns why it stopped. The
// listener is unregistered on return (its Watch dies), so a paused loop is not woken by it.
Task<AcceptEnd> accept_while_listening(CoroLoop& loop, LoopShared& sh, const Listener& from) {
    Watch listener(loop, from.fd(), true);
    if (!listener.registered()) {
        spdlog::error("coroutine loop: cannot watch the listener: {}", std::strerror(errno));
        co_return AcceptEnd::no_resources;
    }
    while (!loop.stopping()) {
        int accepted = 0;
        for (; accepted < accept_batch; ++accepted) {
            if (sh.at_capacity()) co_return AcceptEnd::full;
            Accepted a = accept_once(from);
            if (!a.fd) {
                if (accept_pause_for(errno).count() > 0) co_return AcceptEnd::no_resources;
                listener.drained();  // EAGAIN: another loop may have won the race
                break;
            }
            loop.spawn(connection(loop, sh, std::move(a.fd), std::move(a.peer), a.kind));
        }
        Wake why = Wake::ready;
        if (accepted == accept_batch)
            why = co_await listener.yield();
        else
            why = co_await listener.readable();
        if (why == Wake::stop) break;
    }
    co_return AcceptEnd::stop;
}

// One per listener per loop. The pauses are per acceptor, but their causes are the server's
// (the cap, the process's descriptors): the other acceptors meet the same limit at their next
// accept and pause too.
Detached acceptor(CoroLoop& loop, LoopShared& sh, const Listener& from) {
    Watch pause(loop);  // no descriptor: waits out accept pauses (and hears the stop)
    for (;;) {
        const AcceptEnd end = co_await accept_while_listening(loop, sh, from);
        if (end == AcceptEnd::stop || loop.stopping()) co_return;
        const auto wait = end == AcceptEnd::full ? capacity_pause : event_loop_resource_pause;
        pause.set_deadline(TimerKind::accept_pause, loop.now() + wait);
        if (co_await pause.until_deadline() == Wake::stop) co_return;
    }
}

// One thread's share of the run: its loop, which starts with the acceptor coroutines.
struct Worker {
    explicit Worker(LoopShared& s) : sh(s), loop(options(s.ctx)) {}
    void run() {
        for (const Listener& l : sh.ctx.listeners) loop.spawn(acceptor(loop, sh, l));
        // What is left at the end are connections: the acceptors end at the stop.
        sh.ctx.shutdown.count_cut(loop.run());
    }
    static CoroLoop::Options options(Context& ctx) {
        CoroLoop::Options opt;
        opt.stop_fd = ctx.shutdown.wake_fd();
        opt.urgent_fd = ctx.shutdown.urgent_fd();
        opt.drain_timeout = [&ctx] { return ctx.runtime()->cfg.shutdown_timeout; };
        return opt;
    }

    LoopShared& sh;
    CoroLoop loop;
};

}  // namespace

std::error_code run_coroutine_loops(Context& ctx) {
    LoopShared sh(ctx, ctx.runtime()->cfg.max_connections);
    const std::error_code ec =
        run_workers(ctx, ListenerMode::nonblocking, [&sh] { return std::make_unique<Worker>(sh); });
    // run() destroyed what it had not finished; a frame left now would be a leak (a bug).
    if (const std::size_t n = Detached::live_frames(); n != 0)
        spdlog::error("coroutine model: {} coroutine frames outlived their loops", n);
    return ec;
}

}  // namespace server
