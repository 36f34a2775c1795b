// StopLog: the lines an operator reads while the server stops, worded the same whichever model
// runs. Model::run() holds one for the whole run (main thread); its own thread waits for the
// stop and logs at once, so a drain never sits silent:
//   "SIGTERM: draining 3 connections for up to 10s; a second SIGINT/SIGTERM stops at once"
//   "SIGINT again: stopping at once"                                  (the second signal)
// When the model has returned, the destructor logs what the drain cut (Shutdown::cut(), which
// every model feeds as it closes connections that had not finished):
//   "shutdown: 2 connections cut at the 10s shutdown timeout" or "... cut at the second SIGINT"
// The connection count is server-wide (Stats lives in shared memory), so the process models'
// children are in it. Blocks nothing but its own thread; the destructor joins it.
#pragma once

#include <mutex>
#include <optional>

#include "base/unique_fd.hpp"
#include "server/runtime/context.hpp"
#include "server/sys/fork_gate.hpp"

namespace server {

class StopLog {
public:
    // Throws std::system_error when its eventfd cannot be made (startup only).
    explicit StopLog(const Context& ctx);
    ~StopLog();
    StopLog(const StopLog&) = delete;
    StopLog& operator=(const StopLog&) = delete;

    // Logs the stop and the urgent stop once each, if they came and were not logged yet.
    // For a model about to log lines of its own about the stop (any thread): they then come
    // after the stop's line, not before it.
    void announce_pending() const;

private:
    void run(std::unique_lock<std::mutex>& working);

    const Context& ctx_;
    poly::UniqueFd quit_;  // eventfd: the model returned
    mutable std::mutex mu_;
    mutable bool drain_logged_ = false;
    mutable bool urgent_logged_ = false;
    std::optional<GatedThread> thread_;  // last: it runs on the members above
};

// ctx.stop_log->announce_pending() while a StopLog runs beside the model (Model::run); nothing
// otherwise (a test calling a model's run function directly).
void announce_stop(const Context& ctx);

// "SIGTERM", or `fallback` for 0 (a stop requested without a signal).
std::string signal_name(int sig, const char* fallback);

}  // namespace server
