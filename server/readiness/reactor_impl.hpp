// Private to reactor*.cpp: one reactor = one thread's event loop over one Poller.
// Everything here runs on that thread only; the only cross-thread state is LoopShared.
#pragma once

#include <chrono>
#include <memory>
#include <string_view>
#include <vector>

#include "server/loop/loop_shared.hpp"
#include "server/loop/timers.hpp"
#include "server/obs/log_throttle.hpp"
#include "server/readiness/poller.hpp"

namespace server {

class Reactor {
public:
    using clock = std::chrono::steady_clock;

    Reactor(LoopShared& shared, std::unique_ptr<Poller> poller);
    ~Reactor();
    Reactor(const Reactor&) = delete;
    Reactor& operator=(const Reactor&) = delete;

    void run();

private:
    struct Conn;

    // reactor.cpp: the loop, timers, shutdown
    int next_timeout_ms(clock::time_point now);
    void dispatch(const PollEvent& ev);
    void expire_timers(clock::time_point now);
    void run_ready();
    void begin_shutdown(clock::time_point now);
    void refile_timer(Conn& c);

    // reactor_io.cpp: accepting and pumping
    void accept_ready(const Listener& listener, clock::time_point now);
    void admit(poly::UniqueFd sock, std::string_view peer, ListenerKind kind);
    void refuse_over_limit(int fd);
    void pause_accepting(clock::time_point until);
    void resume_accepting();
    bool watch_listeners();
    void unwatch_listeners();
    void pump(Conn& c);
    bool pump_read(Conn& c, bool& progress);
    bool pump_write(Conn& c, bool& progress);
    bool watch(Conn& c, Interest interest);
    void close_conn(Conn& c);
    void start_linger(Conn& c);
    void drain_linger(Conn& c);
    void destroy_conn(Conn& c);
    void on_timer(Conn& c);

    LoopShared& shared_;
    std::unique_ptr<Poller> poller_;
    std::vector<std::unique_ptr<Conn>> conns_;  // by fd
    std::size_t live_ = 0;
    Timers timers_;
    std::vector<Conn*> ready_;        // pumped again next turn (fairness cap hit)
    std::vector<std::byte> scratch_;  // recv buffer shared by this thread's conns
    std::vector<PollEvent> events_;
    clock::time_point now_{};

    bool listening_ = false;                // every listener is watched (none while paused)
    clock::time_point accept_resume_at_{};  // while paused for EMFILE or the cap
    bool stopping_ = false;
    clock::time_point stop_deadline_{};
    LogThrottle refusal_log_{std::chrono::seconds(1)};
};

}  // namespace server
