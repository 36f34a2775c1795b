// polyhttpd's entry point: parse options, set up logs, bind (or adopt systemd's socket), drop
// privileges, build the shared Runtime, start the control thread and hand everything to the
// chosen model. Exceptions are allowed here (startup) and nowhere on the I/O path.
//
// Order matters: HUP/USR1 are blocked before any thread exists (control.hpp); the socket and
// the log files are opened while still root; the Runtime (which opens the web root) is built
// after the drop, so a root the service user cannot read fails at startup, not per request.
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#include <spdlog/spdlog.h>

#include "config/cli.hpp"
#include "models/registry.hpp"
#include "server/obs/logging.hpp"
#include "server/obs/metrics.hpp"
#include "server/proc/control.hpp"
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

// A model the kernel cannot support stops the server before anything is set up, with one line.
int refuse_unavailable(const std::string& model_name) {
    const std::string why = models::find_model(model_name)->unavailable_reason();
    if (why.empty()) return 0;
    std::fprintf(stderr, "%spolyhttpd: --model %s is unavailable here: %s\n",
                 server::stderr_is_journal() ? "<3>" : "", model_name.c_str(), why.c_str());
    return 1;
}

config::ParseResult parse(int argc, const char* const* argv) {
    return config::parse_command_line(argc, argv, models::model_names());
}

int serve(int argc, const char* const* argv, const config::Config& cfg) {
    server::block_control_signals();
    auto model = models::find_model(cfg.model);
    server::AccessLog access_log(cfg.access_log,
                                 *server::parse_access_log_format(cfg.access_log_format));
    server::Stats& stats = server::Stats::shared();  // mapped before any fork
    server::Shutdown& stop = server::Shutdown::instance();
    stop.install();
    const int activated = server::systemd::take_listen_fd();
    server::Listener listener =
        activated >= 0 ? server::Listener::adopt(activated) : server::Listener::bind(cfg.listen);
    if (cfg.defer_accept.count() > 0 && !listener.set_defer_accept(cfg.defer_accept))
        spdlog::warn("--defer-accept: not available on {}: {}", listener.local_address(),
                     std::strerror(errno));
    server::drop_privileges(cfg.user, cfg.group);
    server::warn_if_root();
    const server::MetricsSource metrics{stats, std::string(model->name()),
                                        std::chrono::steady_clock::now()};
    server::Context ctx(listener, stop, access_log, stats, server::make_runtime(cfg, metrics));
    spdlog::info("listening on {} ({}model {}, root {})", listener.local_address(),
                 activated >= 0 ? "socket activation, " : "", model->name(), cfg.root);
    for (const std::string& line : server::ignored_options(*model, cfg)) spdlog::warn("{}", line);
    std::error_code ec;
    {
        server::ControlThread control(
            ctx, {[argc, argv] { return parse(argc, argv); }, metrics, activated >= 0});
        ec = model->run(ctx);
    }
    if (ec) {
        spdlog::critical("model {} failed: {}", model->name(), ec.message());
        return 1;
    }
    spdlog::info("stopped after {} requests", stats.requests_total());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const config::ParseResult parsed = parse(argc, argv);
    switch (parsed.action) {
        case config::Action::exit_ok: std::printf("%s\n", parsed.message.c_str()); return 0;
        case config::Action::exit_error:
            // Logging is not set up yet; under systemd still give journald the priority.
            std::fprintf(stderr, "%spolyhttpd: %s\n", server::stderr_is_journal() ? "<3>" : "",
                         parsed.message.c_str());
            return 2;
        case config::Action::list_models: return list_models();
        case config::Action::serve: break;
    }
    if (const int rc = refuse_unavailable(parsed.cfg.model); rc != 0) return rc;
    try {
        server::init_logging(parsed.cfg.log_level, parsed.cfg.error_log);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "polyhttpd: %s\n", e.what());
        return 1;
    }
    try {
        return serve(argc, argv, parsed.cfg);
    } catch (const std::exception& e) {
        spdlog::critical("{}", e.what());  // with its journal priority under systemd
        return 1;
    }
}
