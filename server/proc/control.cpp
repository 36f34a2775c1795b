#include "server/proc/control.hpp"

#include <poll.h>
#include <signal.h>
#include <sys/eventfd.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <optional>
#include <string_view>
#include <system_error>

#include <spdlog/spdlog.h>

#include "base/syscall.hpp"
#include "config/options.hpp"
#include "config/site_rules.hpp"
#include "server/obs/logging.hpp"
#include "server/proc/preflight.hpp"
#include "server/proc/systemd.hpp"
#include "server/tls/shared_ticket_keys.hpp"

namespace server {
namespace {

using clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr auto status_period = 2s;
constexpr auto drain_grace = 1s;  // past shutdown-timeout, for closing what the model drained

sigset_t control_signals() {
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGUSR1);
    return set;
}

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

int poll_timeout(clock::time_point now, clock::time_point next) {
    if (next <= now) return 0;
    const auto ms = std::chrono::ceil<std::chrono::milliseconds>(next - now).count();
    return static_cast<int>(std::min<std::int64_t>(ms, 60'000));
}

std::string describe(const config::Change& c) {
    return std::string(c.name) + ": '" + c.from + "' -> '" + c.to + "'";
}

}  // namespace

void block_control_signals() {
    const sigset_t set = control_signals();
    if (const int err = ::pthread_sigmask(SIG_BLOCK, &set, nullptr); err != 0)
        throw std::system_error(err, std::generic_category(), "pthread_sigmask");
}

std::vector<std::string> restart_needed(const config::Config& running, const config::Config& fresh,
                                        bool socket_activated) {
    std::vector<std::string> out;
    for (const config::Change& c : config::changes(running, fresh, config::Apply::restart)) {
        // Under socket activation the listener comes from systemd, so a restart alone would
        // not move it either: say where it is changed.
        if (socket_activated && c.name == "listen")
            out.push_back(describe(c) +
                          " (the socket comes from systemd: change ListenStream= "
                          "in the socket unit)");
        else
            out.push_back(describe(c));
    }
    return out;
}

std::vector<std::string> sized_at_start(const config::Config& running,
                                        const config::Config& fresh) {
    std::vector<std::string> out;
    for (const config::Change& c : config::changes(running, fresh, config::Apply::at_start))
        out.push_back(describe(c));
    return out;
}

ControlThread::ControlThread(Context& ctx, ControlOptions opts)
    : ctx_(ctx), opts_(std::move(opts)) {
    const sigset_t set = control_signals();
    signal_fd_.reset(::signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC));
    if (!signal_fd_) fail("signalfd");
    quit_fd_.reset(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC));
    if (!quit_fd_) fail("eventfd");
    systemd::notify_ready(status());
    thread_.emplace([this](std::unique_lock<std::mutex>& working) { run(working); });
}

ControlThread::~ControlThread() {
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(quit_fd_.get(), &one, sizeof one);
    thread_->join();
}

std::string ControlThread::status() const {
    return fmt::format("model {}, {} active connections, {} requests served", opts_.metrics.model,
                       ctx_.stats.connections_active.load(std::memory_order_relaxed),
                       ctx_.stats.requests_total());
}

void ControlThread::run(std::unique_lock<std::mutex>& working) {
    const auto watchdog = systemd::watchdog_interval();
    auto next_watchdog = watchdog.count() > 0 ? clock::now() : clock::time_point::max();
    auto next_status = clock::now() + status_period;
    std::optional<clock::time_point> stop_deadline;
    std::string last_status;
    // The one writer of the run's session-ticket keys: children forked by the model never
    // have this thread, and the store refuses writes from any process but this one.
    tls::TicketRotator rotator(ctx_.runtime()->tls ? &tls::process_ticket_store() : nullptr,
                               clock::now());
    for (;;) {
        const auto wake = std::min({next_watchdog, next_status, rotator.next(),
                                    stop_deadline.value_or(clock::time_point::max())});
        // The stop pipe stays readable once a stop is requested: watch it until then only.
        pollfd fds[3] = {{quit_fd_.get(), POLLIN, 0},
                         {signal_fd_.get(), POLLIN, 0},
                         {stop_deadline ? -1 : ctx_.shutdown.wake_fd(), POLLIN, 0}};
        working.unlock();  // the gate is held while working only (fork_gate.hpp)
        poly::retry_eintr([&] { return ::poll(fds, 3, poll_timeout(clock::now(), wake)); });
        working.lock();
        auto now = clock::now();
        if (fds[2].revents != 0) {  // before the quit check: a fast model must not skip it
            systemd::notify_stopping();
            stop_deadline = now + ctx_.runtime()->cfg.shutdown_timeout + drain_grace;
        }
        if (fds[0].revents != 0) return;
        if (fds[1].revents != 0) on_signal();
        if (now >= next_watchdog) {
            systemd::notify_watchdog();
            next_watchdog = now + watchdog;
        }
        if (now >= next_status) {
            if (std::string s = status(); s != last_status && !stop_deadline) {
                systemd::notify_status(s);
                last_status = std::move(s);
            }
            next_status = now + status_period;
        }
        rotate_ticket_keys(rotator, now);
        if (stop_deadline && now >= *stop_deadline) {
            // The models bound their drain themselves; this is the backstop for one that did
            // not. Exit 0: a drain cut short by its deadline is the documented behaviour.
            spdlog::warn("shutdown timeout passed with {} connections open; exiting",
                         ctx_.stats.connections_active.load(std::memory_order_relaxed));
            ::_exit(0);
        }
    }
}

void ControlThread::rotate_ticket_keys(tls::TicketRotator& rotator, clock::time_point now) {
    switch (rotator.tick(now)) {
        case tls::TicketRotator::Tick::idle: break;
        case tls::TicketRotator::Tick::rotated: spdlog::debug("session-ticket keys rotated"); break;
        case tls::TicketRotator::Tick::failed:
            spdlog::warn("session-ticket keys not rotated (no random bytes); retrying soon");
            break;
    }
}

void ControlThread::on_signal() {
    signalfd_siginfo info{};
    while (::read(signal_fd_.get(), &info, sizeof info) == static_cast<ssize_t>(sizeof info)) {
        if (info.ssi_signo == SIGUSR1) {
            reopen_logs();
        } else if (info.ssi_signo == SIGHUP) {
            if (ctx_.shutdown.requested())
                spdlog::info("SIGHUP ignored: stopping");
            else
                reload();
        }
    }
}

void ControlThread::reopen_logs() {
    const auto& cfg = ctx_.runtime()->cfg;
    if (const std::error_code ec = ctx_.access_log.reopen())
        spdlog::error("reopening access log {}: {}", cfg.access_log, ec.message());
    if (const std::error_code ec = reopen_error_log())
        spdlog::error("reopening error log {}: {}", cfg.error_log, ec.message());
    spdlog::info("log files reopened (SIGUSR1)");
}

void ControlThread::reload() {
    systemd::notify_reloading();
    const auto refuse = [this](const std::string& why,
                               std::string_view kept = "the running configuration") {
        spdlog::error("reload failed, keeping {}: {}", kept, why);
        systemd::notify_ready(status());
    };
    const config::ParseResult parsed = opts_.reparse();
    const std::shared_ptr<const Runtime> running = ctx_.runtime();
    if (parsed.action != config::Action::serve) {
        refuse(parsed.message);
        return;
    }
    config::Config next = parsed.cfg;
    // The root and the log files as startup checks them, as the user the server now runs as
    // (a root it cannot read would turn every request into a 403).
    if (auto err = check_reachable(next)) {
        refuse(*err);
        return;
    }
    for (const std::string& change : restart_needed(running->cfg, next, opts_.socket_activated))
        spdlog::warn("reload: {} needs a restart; keeping the running value", change);
    for (const std::string& change : sized_at_start(running->cfg, next))
        spdlog::info("reload: {}: applied by models that re-read it, others at the next restart",
                     change);
    for (const std::string& change : config::table_changes(running->cfg, next))
        spdlog::info("reload: {}", change);
    // What cannot change live keeps its running value, so models never see it move.
    config::copy_values(next, running->cfg, config::Apply::restart);
    // The new pairs checked as startup checks them (as the user the server now runs as): a
    // broken one keeps the running snapshot, whose context still holds the previous pairs.
    TlsReport tls;
    if (auto err = check_tls(next, tls)) {
        refuse(*err, "the previous certificates and the running configuration");
        return;
    }
    std::shared_ptr<const Runtime> fresh;
    try {
        fresh = make_runtime(next, opts_.metrics);
    } catch (const std::exception& e) {
        refuse(e.what());
        return;
    }
    const auto format = parse_access_log_format(next.access_log_format);
    if (const auto ec = ctx_.access_log.reconfigure(next.access_log, *format)) {
        spdlog::error("reload: access log {}: {}; keeping the old one", next.access_log,
                      ec.message());
    }
    if (const auto ec = reconfigure_logging(next.log_level, next.error_log))
        spdlog::error("reload: error log {}: {}; keeping the old one", next.error_log,
                      ec.message());
    ctx_.publish(std::move(fresh));
    spdlog::info("configuration reloaded (generation {}, root {})", ctx_.generation(),
                 config::resolved_root(next.root));
    for (const std::string& line : tls.warnings) spdlog::warn("reload: {}", line);
    systemd::notify_ready(status());
}

}  // namespace server
