#include "server/readiness/reactor.hpp"

#include <algorithm>
#include <thread>

#include <spdlog/spdlog.h>

#include "server/readiness/reactor_conn.hpp"

namespace server {
namespace {

constexpr std::size_t scratch_size = 64 * 1024;
constexpr std::size_t max_events = 512;

}  // namespace

Reactor::Reactor(ReactorShared& shared, std::unique_ptr<Poller> poller)
    : shared_(shared), poller_(std::move(poller)), scratch_(scratch_size), events_(max_events) {}

Reactor::~Reactor() = default;

void Reactor::run() {
    now_ = clock::now();
    listening_ = poller_->add_listener(shared_.ctx.listener.fd());
    if (!listening_) spdlog::error("reactor: cannot watch the listener: {}", std::strerror(errno));
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
    for (auto& c : conns_)
        if (c) destroy_conn(*c);
}

int Reactor::next_timeout_ms(clock::time_point now) {
    if (!ready_.empty()) return 0;
    clock::time_point next = clock::time_point::max();
    for (TimerList& list : timers_)
        if (const TimerNode* t = list.front()) next = std::min(next, t->at);
    if (!listening_ && !stopping_) next = std::min(next, accept_resume_at_);
    if (stopping_) next = std::min(next, stop_deadline_);
    if (next == clock::time_point::max()) return -1;
    if (next <= now) return 0;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
    return static_cast<int>(std::min<long long>(ms, 60'000));
}

void Reactor::dispatch(const PollEvent& ev) {
    if (ev.fd == shared_.ctx.listener.fd()) {
        if (listening_ && !stopping_) accept_ready(now_);
        return;
    }
    if (ev.fd == shared_.ctx.shutdown.wake_fd()) {
        begin_shutdown(now_);
        return;
    }
    if (ev.fd < 0 || static_cast<std::size_t>(ev.fd) >= conns_.size()) return;
    Conn* c = conns_[static_cast<std::size_t>(ev.fd)].get();
    if (c == nullptr) return;
    if (c->lingering) {
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
    for (TimerList& list : timers_) {
        while (TimerNode* t = list.front()) {
            if (t->at > now) break;
            Conn& c = *static_cast<Conn*>(t->owner);
            TimerList::unlink(c.timer);
            if (c.lingering) {
                destroy_conn(c);
                continue;
            }
            c.http.on_timeout();
            c.deadline.update(c.http.phase(), false, now);
            pump(c);  // sends a 408 or closes; re-files the timer if the connection lives
        }
    }
}

void Reactor::refile_timer(Conn& c) {
    c.timer.at = c.deadline.at();
    timers_[c.deadline.kind()].push_back(c.timer);
}

void Reactor::begin_shutdown(clock::time_point now) {
    if (stopping_) return;
    stopping_ = true;
    stop_deadline_ = now + shared_.ctx.runtime()->cfg.shutdown_timeout;
    // The stop pipe stays readable forever: stop watching it, and stop accepting.
    poller_->remove(shared_.ctx.shutdown.wake_fd());
    if (listening_) poller_->remove(shared_.ctx.listener.fd());
    listening_ = false;
    for (auto& c : conns_) {
        if (!c || c->lingering) continue;
        c->http.shutdown();  // idle ones close at once; requests in flight finish
        pump(*c);
    }
}

std::error_code run_reactors(Context& ctx, const PollerFactory& make_poller) {
    const auto rt = ctx.runtime();
    const unsigned workers = config::resolve_workers(rt->cfg.workers);
    ReactorShared shared{ctx, rt->cfg.max_connections};
    std::vector<std::unique_ptr<Reactor>> reactors;
    try {
        for (unsigned i = 0; i < workers; ++i)
            reactors.push_back(std::make_unique<Reactor>(shared, make_poller()));
    } catch (const std::system_error& e) {
        return e.code();
    }
    ctx.listener.set_nonblocking(true);
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < workers; ++i)
        threads.emplace_back([r = reactors[i].get()] { r->run(); });
    reactors[0]->run();
    for (auto& t : threads) t.join();
    return {};
}

}  // namespace server
