// ControlThread: the master process's housekeeping thread. main() starts it once the socket
// is listening, right before model->run(), and it runs beside the model until main() destroys
// it. It owns everything that is not serving:
//   SIGHUP   re-read the configuration (flags still win), publish a new Runtime, log what
//            needs a restart; RELOADING=1 ... READY=1 around it. A bad file keeps the old one.
//            Process-based models see the new Runtime in the children they fork afterwards
//            (prefork watches ctx.generation() and replaces its workers).
//   SIGUSR1  reopen the access log and a file error log (logrotate)
//   stop     STOPPING=1 once SIGTERM/SIGINT arrived, then enforce the drain bound: if the
//            model has not returned shutdown-timeout + 1 s later, log and _exit(0)
//   timers   STATUS= with the live connection count every 2 s; WATCHDOG=1 at half WatchdogSec;
//            with TLS listeners, a new session-ticket sealing key every hour (the run's only
//            rotation: server/tls/shared_ticket_keys.hpp)
// HUP and USR1 are taken with signalfd, so block_control_signals() must run on the main thread
// before ANY other thread or child exists: every thread and child inherits the blocked mask,
// and the signals wait for this thread instead of interrupting a model's syscalls.
//
// Fork hazard: models fork while this thread runs. A child inherits only the forking thread,
// so any lock this thread held at that instant stays locked forever in the child. The logging
// path is therefore lock-free (logging.hpp), and this thread's work touches no lock a serving
// child needs (a reload's CLI11/TOML parsing allocates, and glibc's malloc is fork-safe).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"
#include "config/file/cli.hpp"
#include "server/obs/metrics.hpp"
#include "server/runtime/context.hpp"
#include "server/sys/fork_gate.hpp"
#include "server/tls/shared_ticket_keys.hpp"

namespace server {

void block_control_signals();

struct ControlOptions {
    std::function<config::ParseResult()> reparse;  // the original argv, parsed again
    MetricsSource metrics;                         // for the Runtimes a reload builds
    bool socket_activated = false;                 // --listen changes are then irrelevant
};

class ControlThread {
public:
    // Sends READY=1 and starts the thread. Throws std::system_error when it cannot.
    ControlThread(Context& ctx, ControlOptions opts);
    ~ControlThread();  // stops and joins the thread
    ControlThread(const ControlThread&) = delete;
    ControlThread& operator=(const ControlThread&) = delete;

private:
    void run(std::unique_lock<std::mutex>& working);
    void on_signal();
    void reload();
    void reopen_logs();
    static void rotate_ticket_keys(tls::TicketRotator& rotator,
                                   std::chrono::steady_clock::time_point now);
    [[nodiscard]] std::string status() const;

    Context& ctx_;
    ControlOptions opts_;
    poly::UniqueFd signal_fd_;
    poly::UniqueFd quit_fd_;             // eventfd: the destructor asks the thread to end
    std::optional<GatedThread> thread_;  // last: it runs on the members above
};

// Changes as "name: 'old' -> 'new'" lines, exposed for tests; which options fall in each is
// declared in the option table (config/options.cpp). restart_needed: what a reload never
// applies (Apply::restart: model, listen, defer-accept, user, group). sized_at_start
// (Apply::at_start: workers, max-connections): published like everything else; models that
// size a pool or a cap per reload or per connection (prefork, fork, thread) apply them, the
// reactors only at their next start.
std::vector<std::string> restart_needed(const config::Config& running, const config::Config& fresh,
                                        bool socket_activated);
std::vector<std::string> sized_at_start(const config::Config& running, const config::Config& fresh);

}  // namespace server
