// polyhttpd's entry point: parse options, set up logs, bind (or adopt systemd's sockets), drop
// privileges, build the shared Runtime, start the control thread and hand everything to the
// chosen model. Exceptions are allowed here (startup) and nowhere on the I/O path.
//
// Order matters: the preflight (preflight.hpp) runs first, the same one --check-config runs,
// so what it passes cannot fail later on an address, a port, the root or a log file; HUP/USR1
// are blocked before any thread exists (control.hpp); the socket and the log files are opened
// while still root; the Runtime (which opens the web root) is built after the drop.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <exception>
#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>

#include "base/plural.hpp"
#include "config/file/cli.hpp"
#include "models/registry.hpp"
#include "server/obs/logging.hpp"
#include "server/obs/metrics.hpp"
#include "server/proc/control.hpp"
#include "server/proc/preflight.hpp"
#include "server/proc/privileges.hpp"
#include "server/proc/systemd.hpp"
#include "server/runtime/context.hpp"

namespace {

// One line per model: name, summary and, for a model this machine cannot run, the reason in
// "[unavailable here: ...]" (the integration suite reads that to skip it, saying why).
int list_models() {
    for (const auto& m : models::all_models()) {
        const std::string why = m->unavailable_reason();
        std::printf("%-10s %.*s%s%s%s\n", std::string(m->name()).c_str(),
                    static_cast<int>(m->summary().size()), m->summary().data(),
                    why.empty() ? "" : " [unavailable here: ", why.c_str(), why.empty() ? "" : "]");
    }
    return 0;
}

// One line on stderr before logging is set up; under systemd still with journald's priority.
int refuse(const std::string& line, int status) {
    std::fprintf(stderr, "%spolyhttpd: %s\n", server::stderr_is_journal() ? "<3>" : "",
                 line.c_str());
    return status;
}

// A model the kernel cannot support stops the server before anything is set up, with one line.
int refuse_unavailable(const std::string& model_name, int status) {
    const std::string why = models::find_model(model_name)->unavailable_reason();
    if (why.empty()) return 0;
    return refuse("--model " + model_name + " is unavailable here: " + why, status);
}

// --check-config: what startup checks before it opens anything, and nothing more (it never
// binds: as ExecReload it runs beside the server that holds the port).
int check_config(const config::ParseResult& parsed) {
    if (const int rc = refuse_unavailable(parsed.cfg.model, 2); rc != 0) return rc;
    server::TlsReport tls;
    if (auto err = server::preflight(parsed.cfg, false, tls)) return refuse(*err, 2);
    // Warnings pass the check (startup goes on with them), on stderr beside the verdict.
    for (const std::string& line : tls.warnings)
        std::fprintf(stderr, "polyhttpd: warning: %s\n", line.c_str());
    std::printf("%s\n", parsed.message.c_str());
    return 0;
}

// TCP_DEFER_ACCEPT on every listener; one that has no such option (a unix socket) says so.
void set_defer_accept(const server::ListenerSet& listeners, std::chrono::milliseconds wait) {
    if (wait.count() <= 0) return;
    for (const server::Listener& l : listeners) {
        if (!l.set_defer_accept(wait))
            spdlog::warn("--defer-accept: not available on {}: {}", l.local_address(),
                         std::strerror(errno));
    }
}

// --listen's plain listeners, then --tls-listen's.
server::ListenerSet bind_listeners(const config::Config& cfg) {
    server::ListenerSet set = server::ListenerSet::bind(cfg.listen);
    set.bind_more(cfg.tls_listen, server::ListenerKind::tls);
    return set;
}

config::ParseResult parse(int argc, const char* const* argv) {
    return config::parse_command_line(argc, argv, models::model_names());
}

// What the TLS check found, once the startup line has said where the server listens.
void log_tls(const server::TlsReport& tls) {
    for (const std::string& line : tls.certificates) spdlog::info("{}", line);
    for (const std::string& line : tls.warnings) spdlog::warn("{}", line);
}

int serve(int argc, const char* const* argv, const config::Config& cfg,
          const server::TlsReport& tls) {
    server::block_control_signals();
    auto model = models::find_model(cfg.model);
    server::AccessLog access_log(cfg.access_log,
                                 *server::parse_access_log_format(cfg.access_log_format));
    server::Stats& stats = server::Stats::shared();  // mapped before any fork
    server::Shutdown& stop = server::Shutdown::instance();
    stop.install();
    server::ListenerSet listeners = server::systemd::take_listeners();
    const bool activated = !listeners.empty();
    if (activated) {
        // An https socket without a certificate could only fail every handshake: refuse.
        if (auto err = server::systemd::tls_without_certificate(listeners, cfg))
            throw std::runtime_error(*err);
        server::systemd::warn_if_listen_differs(listeners, cfg);
    } else {
        listeners = bind_listeners(cfg);
    }
    set_defer_accept(listeners, cfg.defer_accept);
    const server::MetricsSource metrics{stats, std::string(model->name()),
                                        std::chrono::steady_clock::now()};
    // Before the privileges go: the key files may be readable by root only.
    auto runtime = server::make_runtime(cfg, metrics);
    server::drop_privileges(cfg.user, cfg.group);
    server::warn_if_root();
    server::Context ctx(listeners, stop, access_log, stats, std::move(runtime));
    spdlog::info("listening on {} ({}model {}, root {})", listeners.addresses(),
                 activated ? "socket activation, " : "", model->name(),
                 config::resolved_root(cfg.root));
    for (const std::string& line : server::ignored_options(*model, cfg)) spdlog::warn("{}", line);
    log_tls(tls);
    std::error_code ec;
    {
        server::ControlThread control(
            ctx, {[argc, argv] { return parse(argc, argv); }, metrics, activated});
        ec = model->run(ctx);
    }
    if (ec) {
        spdlog::critical("model {} failed: {}", model->name(), ec.message());
        return 1;
    }
    spdlog::info("stopped after {} request{}", stats.requests_total(),
                 poly::plural(stats.requests_total()));
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const config::ParseResult parsed = parse(argc, argv);
    switch (parsed.action) {
        case config::Action::exit_ok: std::printf("%s\n", parsed.message.c_str()); return 0;
        case config::Action::exit_error: return refuse(parsed.message, 2);
        case config::Action::check_config: return check_config(parsed);
        case config::Action::list_models: return list_models();
        case config::Action::serve: break;
    }
    if (const int rc = refuse_unavailable(parsed.cfg.model, 1); rc != 0) return rc;
    // A problem here is the configuration's, as with exit_error: the same status.
    server::TlsReport tls;
    if (auto err = server::preflight(parsed.cfg, server::systemd::socket_passed(), tls))
        return refuse(*err, 2);
    try {
        server::init_logging(parsed.cfg.log_level, parsed.cfg.error_log);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "polyhttpd: %s\n", e.what());
        return 1;
    }
    try {
        return serve(argc, argv, parsed.cfg, tls);
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());  // with its journal priority under systemd
        return 1;
    }
}
