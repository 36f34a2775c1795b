#include "server/runtime/stop_log.hpp"

#include <poll.h>
#include <string.h>
#include <sys/eventfd.h>

#include <system_error>

#include <spdlog/spdlog.h>

#include "base/plural.hpp"
#include "base/syscall.hpp"
#include "config/units.hpp"

namespace server {
namespace {

using poly::plural;

}  // namespace

std::string signal_name(int sig, const char* fallback) {
    const char* abbrev = sig > 0 ? ::sigabbrev_np(sig) : nullptr;
    return abbrev != nullptr ? std::string("SIG") + abbrev : std::string(fallback);
}

void announce_stop(const Context& ctx) {
    if (ctx.stop_log != nullptr) ctx.stop_log->announce_pending();
}

StopLog::StopLog(const Context& ctx) : ctx_(ctx) {
    if (ctx_.shutdown.wake_fd() < 0) return;  // never installed (a test): nothing can stop it
    quit_.reset(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
    if (!quit_) throw std::system_error(errno, std::generic_category(), "eventfd");
    thread_.emplace([this](std::unique_lock<std::mutex>& working) { run(working); });
}

StopLog::~StopLog() {
    if (thread_) {
        const std::uint64_t one = 1;
        [[maybe_unused]] const auto n = ::write(quit_.get(), &one, sizeof one);
        thread_->join();
    }
    // A model that returned before this thread woke: the lines still come, in order.
    announce_pending();
    const std::size_t cut = ctx_.shutdown.cut();
    if (cut == 0) return;
    if (ctx_.shutdown.urgent())
        spdlog::warn("shutdown: {} connection{} cut at the second {}", cut, plural(cut),
                     signal_name(ctx_.shutdown.second_signal(), "stop request"));
    else
        spdlog::warn("shutdown: {} connection{} cut at the {} shutdown timeout", cut, plural(cut),
                     config::format_duration(ctx_.runtime()->cfg.shutdown_timeout));
}

void StopLog::run(std::unique_lock<std::mutex>& working) {
    for (;;) {
        int next = -1;  // the stop pipes stay readable once written: the next one not logged
        {
            const std::lock_guard lock(mu_);
            if (urgent_logged_) return;
            next = drain_logged_ ? ctx_.shutdown.urgent_fd() : ctx_.shutdown.wake_fd();
        }
        pollfd fds[2] = {{quit_.get(), POLLIN, 0}, {next, POLLIN, 0}};
        working.unlock();  // the gate is held while working only (fork_gate.hpp)
        const int ready = poly::retry_eintr([&] { return ::poll(fds, 2, -1); });
        working.lock();
        if (ready < 0 || fds[0].revents != 0) return;
        announce_pending();
    }
}

void StopLog::announce_pending() const {
    const std::lock_guard lock(mu_);
    const Shutdown& stop = ctx_.shutdown;
    if (!drain_logged_ && stop.requested()) {
        drain_logged_ = true;
        const auto open = ctx_.stats.connections_active.load(std::memory_order_relaxed);
        const std::string sig = signal_name(stop.first_signal(), "stop requested");
        if (open <= 0)
            spdlog::info("{}: stopping, no connection open", sig);
        else
            spdlog::info(
                "{}: draining {} connection{} for up to {}; a second SIGINT/SIGTERM "
                "stops at once",
                sig, open, plural(static_cast<std::uint64_t>(open)),
                config::format_duration(ctx_.runtime()->cfg.shutdown_timeout));
    }
    if (!urgent_logged_ && stop.urgent()) {
        urgent_logged_ = true;
        spdlog::warn("{} again: stopping at once",
                     signal_name(stop.second_signal(), "stop requested"));
    }
}

}  // namespace server
