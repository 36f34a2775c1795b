// polyhttpd's entry point: parse options, bind, build the shared handler, hand everything to
// the chosen model. Exceptions are allowed here (startup) and nowhere on the I/O path.
#include <cstdio>
#include <exception>

#include <spdlog/spdlog.h>

#include "cli.hpp"
#include "logging.hpp"
#include "registry.hpp"
#include "server_context.hpp"

namespace {

int list_models() {
    for (const auto& m : models::all_models())
        std::printf("%-10s %.*s\n", std::string(m->name()).c_str(),
                    static_cast<int>(m->summary().size()), m->summary().data());
    return 0;
}

int serve(const config::Config& cfg) {
    server::init_logging(cfg.log_level);
    auto model = models::make_model(cfg.model);
    auto runtime = std::make_shared<const server::Runtime>(cfg);
    server::AccessLog access_log(cfg.access_log);
    server::Stats& stats = server::Stats::shared();  // mapped before any fork
    server::Shutdown& stop = server::Shutdown::instance();
    stop.install();
    server::Listener listener = server::Listener::bind(cfg.listen);
    server::Context ctx(listener, stop, access_log, stats, std::move(runtime));
    spdlog::info("listening on {} (model {}, root {})", listener.local_address(), model->name(),
                 cfg.root);
    if (const std::error_code ec = model->run(ctx)) {
        spdlog::critical("model {} failed: {}", model->name(), ec.message());
        return 1;
    }
    spdlog::info("stopped after {} requests", stats.requests_total());
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    const config::ParseResult parsed = config::parse_command_line(argc, argv, models::model_names());
    switch (parsed.action) {
        case config::Action::exit_ok: std::printf("%s\n", parsed.message.c_str()); return 0;
        case config::Action::exit_error:
            std::fprintf(stderr, "polyhttpd: %s\n", parsed.message.c_str());
            return 2;
        case config::Action::list_models: return list_models();
        case config::Action::serve: break;
    }
    try {
        return serve(parsed.cfg);
    } catch (const std::exception& e) {
        std::fprintf(stderr, "polyhttpd: %s\n", e.what());
        return 1;
    }
}
