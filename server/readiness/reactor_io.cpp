#include <sys/socket.h>

#include <spdlog/spdlog.h>

#include "base/syscall.hpp"
#include "server/conn/transfer.hpp"
#include "server/readiness/reactor_conn.hpp"
#include "server/sys/accept_once.hpp"
#include "server/sys/refuse.hpp"

namespace server {

void Reactor::accept_ready(const Listener& listener, clock::time_point now) {
    for (int i = 0; i < accept_batch; ++i) {
        if (shared_.at_capacity()) {
            pause_accepting(now + capacity_pause);  // the backlog waits
            return;
        }
        Accepted a = accept_once(listener);
        if (!a.fd) {
            if (const auto pause = accept_pause_for(errno); pause.count() > 0)
                pause_accepting(now + pause);
            return;  // EAGAIN: drained (another reactor may have won the race)
        }
        if (a.fd.get() >= poller_->fd_limit()) {
            refuse_over_limit(a.fd.release());
            continue;
        }
        admit(std::move(a.fd), a.peer, a.kind);
    }
}

// The connection reaches the poller only if it has to wait (see watch()): a request that
// arrived with the handshake and is answered at once, with Connection: close, never costs
// an epoll_ctl.
void Reactor::admit(poly::UniqueFd sock, std::string_view peer, ListenerKind kind) {
    const int fd = sock.get();
    if (static_cast<std::size_t>(fd) >= conns_.size())
        conns_.resize(static_cast<std::size_t>(fd) + 256);
    auto& slot = conns_[static_cast<std::size_t>(fd)];
    slot = std::make_unique<Conn>(std::move(sock), peer, kind, shared_, now_);
    ++live_;
    pump(*slot);  // the request often arrived with the handshake: read it now
}

void Reactor::refuse_over_limit(int fd) {
    // select() cannot watch this descriptor: answer 503 best-effort and close, never touch
    // an fd_set with it (that would be undefined behaviour). Logged once per second.
    refuse_at_capacity(fd);
    if (const std::uint64_t n = refusal_log_.admit(now_); n > 0)
        spdlog::warn(
            "connection on fd {} is beyond this model's limit ({}): answered 503 ({} "
            "since the last report)",
            fd, poller_->fd_limit(), n);
}

// A pause (the cap, out of descriptors) holds every listener: the limit is the server's.
void Reactor::pause_accepting(clock::time_point until) {
    if (listening_) unwatch_listeners();
    listening_ = false;
    accept_resume_at_ = until;
}

void Reactor::resume_accepting() {
    if (shared_.at_capacity()) {
        accept_resume_at_ = now_ + capacity_pause;
        return;
    }
    listening_ = watch_listeners();
    if (!listening_) accept_resume_at_ = now_ + event_loop_resource_pause;
}

// All or none: a listener that cannot be watched (select's FD_SETSIZE, ENOMEM) unwatches the
// ones before it, so a later pause never leaves one registered.
bool Reactor::watch_listeners() {
    const ListenerSet& all = shared_.ctx.listeners;
    for (std::size_t i = 0; i < all.size(); ++i) {
        if (poller_->add_listener(all[i].fd())) continue;
        const int err = errno;
        for (std::size_t j = 0; j < i; ++j) poller_->remove(all[j].fd());
        errno = err;
        return false;
    }
    return true;
}

void Reactor::unwatch_listeners() {
    for (const Listener& l : shared_.ctx.listeners) poller_->remove(l.fd());
}

// The deadline follows every step, not only the state at the end of the turn: one turn often
// reads a request, answers it and finds the socket drained, ending idle as it began, and a
// keep-alive deadline judged only then would never restart, cutting a busy client at
// --keepalive-timeout. Deadline::update is a compare unless the phase changed; the timer is
// re-filed once per turn, when the deadline moved.
void Reactor::pump(Conn& c) {
    bool moved = false;
    for (int budget = pump_budget; budget > 0; --budget) {
        const http::Want want = c.session.want();
        if (want == http::Want::close) {
            close_conn(c);
            return;
        }
        bool progress = false;
        const bool go_on =
            want == http::Want::read ? pump_read(c, progress) : pump_write(c, progress);
        moved = c.deadline.update(c.session.phase(), progress, now_) || moved;
        if (c.session.want() == http::Want::close) continue;  // closes on the next iteration
        if (!go_on) {
            if (moved || !c.timer.linked()) refile_timer(c);
            return;
        }
    }
    if (!c.queued) {  // budget used up: continue after the others
        c.queued = true;
        ready_.push_back(&c);
    }
    if (moved || !c.timer.linked()) refile_timer(c);
}

// One recv; returns false when the connection must wait for readiness.
bool Reactor::pump_read(Conn& c, bool& progress) {
    if (c.read_drained) return !watch(c, Interest::read);
    const IoResult r = receive_via(c.fd.get(), c.session, scratch_);
    switch (r.status) {
        case IoStatus::would_block: c.read_drained = true; return !watch(c, Interest::read);
        case IoStatus::error: c.session.abort(); return true;
        default:
            c.read_drained = !r.full;  // a short read proves the queue empty
            progress = true;
            return true;
    }
}

// One send or sendfile; returns false when the connection must wait for writability.
bool Reactor::pump_write(Conn& c, bool& progress) {
    c.before_write();
    const IoResult r = send_from(c.fd.get(), c.session);
    switch (r.status) {
        case IoStatus::would_block: return !watch(c, Interest::write);
        case IoStatus::error: c.session.abort(); return true;
        default: progress = progress || r.bytes > 0; return true;
    }
}

// Registers the connection with the poller on its first wait, or changes its interest;
// returns false (the connection is aborted) when the poller refuses it.
bool Reactor::watch(Conn& c, Interest interest) {
    const int fd = c.fd.get();
    if (c.registered ? poller_->set(fd, interest) : poller_->add(fd, interest)) {
        c.registered = true;
        return true;
    }
    spdlog::warn("poller fd {}: {}", fd, std::strerror(errno));
    c.session.abort();
    return false;
}

void Reactor::close_conn(Conn& c) {
    if (c.session.wants_linger() && !c.linger.active()) {
        start_linger(c);
        return;
    }
    destroy_conn(c);
}

// Lingering close (server/conn/linger.hpp): half-closed, the connection waits for input or
// the end of its window (TimerKind::linger), whichever comes first.
void Reactor::start_linger(Conn& c) {
    if (c.queued) {
        std::erase(ready_, &c);
        c.queued = false;
    }
    c.linger.start(c.fd.get(), now_);
    timers_.file(c.timer, TimerKind::linger, c.linger.until());
    if (!watch(c, Interest::read)) {
        destroy_conn(c);
        return;
    }
    drain_linger(c);
}

void Reactor::drain_linger(Conn& c) {
    if (!c.linger.drain(c.fd.get(), scratch_)) destroy_conn(c);
}

void Reactor::destroy_conn(Conn& c) {
    const int fd = c.fd.get();
    Timers::cancel(c.timer);
    if (c.queued) std::erase(ready_, &c);
    if (c.registered) poller_->forget(fd);
    conns_[static_cast<std::size_t>(fd)].reset();  // closes the socket, frees the slot
    --live_;
}

}  // namespace server
