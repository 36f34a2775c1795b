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

http::StaticConfig static_config(const config::Config& cfg) {
    http::StaticConfig s;
    s.root = cfg.root;
    s.index = cfg.index;
    s.autoindex = cfg.autoindex;
    s.hidden = cfg.hidden;
    return s;
}

http::ConnectionLimits connection_limits(const config::Config& cfg) {
    http::ConnectionLimits l;
    l.max_head_size = cfg.max_head_size;
    l.max_target_size = cfg.max_target_size;
    return l;
}

int list_models() {
    for (const auto& m : models::all_models())
        std::printf("%-10s %.*s\n", std::string(m->name()).c_str(),
                    static_cast<int>(m->summary().size()), m->summary().data());
    return 0;
}

int serve(const config::Config& cfg) {
    server::init_logging(cfg.log_level);
    auto model = models::make_model(cfg.model);
    const http::StaticHandler handler(static_config(cfg));
    const server::AccessLog access_log(cfg.access_log);
    server::Shutdown& stop = server::Shutdown::instance();
    stop.install();
    server::Listener listener = server::Listener::bind(cfg.listen);
    server::Context ctx{listener, cfg, handler, stop, access_log, connection_limits(cfg),
                        {cfg.header_timeout, cfg.keepalive_timeout, cfg.send_timeout}};
    spdlog::info("listening on {} (model {}, root {})", listener.local_address(), model->name(),
                 cfg.root);
    if (const std::error_code ec = model->run(ctx)) {
        spdlog::critical("model {} failed: {}", model->name(), ec.message());
        return 1;
    }
    spdlog::info("stopped");
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
