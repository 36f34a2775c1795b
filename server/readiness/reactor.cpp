#include "server/readiness/reactor.hpp"

#include <algorithm>
#include <cstring>

#include <spdlog/spdlog.h>

#include "server/loop/run_workers.hpp"
#include "server/readiness/reactor_conn.hpp"
#include "server/sys/accept_once.hpp"

namespace server {
namespace {

constexpr std::size_t scratch_size = 64 * 1024;
constexpr std::size_t max_events = 512;

}  // namespace

Reactor::Reactor(LoopShared& shared, std::unique_ptr<Poller> poller)
    : shared_(shared), poller_(std::move(poller)), scratch_(scratch_size), events_(max_events) {}

Reactor::~Reactor() = default;

void Reactor::run() {
    now_ = clock::now();
    listening_ = watch_listeners();
    if (!listening_) {
        spdlog::error("reactor: cannot watch the listeners: {}", std::strerror(errno));
        accept_resume_at_ = now_ + event_loop_resource_pause;
    }
    poller_->add(shared_.ctx.shutdown.wake_fd(), Interest::read);
    while (!stopping_ || live_ > 0) {
        const int n = poller_->wait(events_, next_timeout_ms(now_));
        now_ = clock::now();
        if (n < 0 && errno != EINTR) {
            spdlog::critical("reactor: poll failed: {}", std::strerror(errno));
            break;
        }
        for (int i = 0; i < n; ++i) dispatch(events_[static_cast<std::size_t>(i)]);
        run_ready();
        expire_timers(now_);
        if (!listening_ && !stopping_ && now_ >= accept_resume_at_) resume_accepting();
        if (stopping_ && now_ >= stop_deadline_) break;
    }
    std::size_t cut = 0;
    for (auto& c : conns_) {
        if (!c) continue;
        cut += c->linger.active() ? 0 : 1;  // a lingering one had its response
        destroy_conn(*c);
    }
    shared_.ctx.shutdown.count_cut(cut);
}

int Reactor::next_timeout_ms(clock::time_point now) {
    if (!ready_.empty()) return 0;
    clock::time_point next = timers_.next_expiry();
    if (!listening_ && !stopping_) next = std::min(next, accept_resume_at_);
    if (stopping_) next = std::min(next, stop_deadline_);
    return wait_ms(next, now);
}

void Reactor::dispatch(const PollEvent& ev) {
    if (const Listener* l = shared_.ctx.listeners.find(ev.fd)) {
        if (listening_ && !stopping_) accept_ready(*l, now_);
        return;
    }
    if (ev.fd == shared_.ctx.shutdown.wake_fd()) {
        begin_shutdown(now_);
        return;
    }
    if (ev.fd == shared_.ctx.shutdown.urgent_fd()) {  // the second stop signal: cut now
        poller_->remove(ev.fd);
        stop_deadline_ = now_;
        return;
    }
    if (ev.fd < 0 || static_cast<std::size_t>(ev.fd) >= conns_.size()) return;
    Conn* c = conns_[static_cast<std::size_t>(ev.fd)].get();
    if (c == nullptr) return;
    if (c->linger.active()) {
        drain_linger(*c);
        return;
    }
    if (ev.readable || ev.hangup) c->read_drained = false;
    pump(*c);
}

void Reactor::run_ready() {
    // Connections that used up their turn's budget continue now, after everyone else had
    // theirs; pump() may queue them again.
    std::vector<Conn*> batch;
    batch.swap(ready_);
    for (Conn* c : batch) {
        c->queued = false;
        pump(*c);
    }
}

void Reactor::expire_timers(clock::time_point now) {
    timers_.expire(now, [this](TimerNode& t) { on_timer(*static_cast<Conn*>(t.owner)); });
}

void Reactor::on_timer(Conn& c) {
    if (c.linger.active()) {  // the window has passed
        destroy_conn(c);
        return;
    }
    c.session.on_timeout();
    c.deadline.update(c.session.phase(), false, now_);
    pump(c);  // sends a 408 or closes; re-files the timer if the connection lives
}

void Reactor::refile_timer(Conn& c) { timers_.file(c.timer, c.deadline.kind(), c.deadline.at()); }

void Reactor::begin_shutdown(clock::time_point now) {
    if (stopping_) return;
    stopping_ = true;
    stop_deadline_ = now + shared_.ctx.runtime()->cfg.shutdown_timeout;
    // The stop pipe stays readable forever: stop watching it, and stop accepting.
    poller_->remove(shared_.ctx.shutdown.wake_fd());
    if (const int urgent = shared_.ctx.shutdown.urgent_fd();
        urgent >= 0 && !poller_->add(urgent, Interest::read))
        spdlog::warn("reactor: cannot watch for a second stop signal: {}", std::strerror(errno));
    if (listening_) unwatch_listeners();
    listening_ = false;
    for (auto& c : conns_) {
        if (!c || c->linger.active()) continue;
        c->session.shutdown();  // idle ones close at once; requests in flight finish
        pump(*c);
    }
}

std::error_code run_reactors(Context& ctx, const PollerFactory& make_poller) {
    LoopShared shared(ctx, ctx.runtime()->cfg.max_connections);
    return run_workers(ctx, ListenerMode::nonblocking,
                       [&] { return std::make_unique<Reactor>(shared, make_poller()); });
}

}  // namespace server
