#include "server/runtime/model.hpp"

#include <algorithm>

#include <spdlog/spdlog.h>

#include "config/options.hpp"

namespace server {

std::vector<std::string> ignored_options(const Model& model, const config::Config& cfg) {
    const config::Config defaults;
    std::vector<std::string> out;
    for (const config::Option& opt : config::options()) {
        if (!opt.per_model) continue;
        const auto reads = model.reads();
        if (std::find(reads.begin(), reads.end(), opt.name) != reads.end()) continue;
        const std::string value = config::format_value(cfg, opt);
        if (value == config::format_value(defaults, opt)) continue;  // not set
        out.push_back(config::flag(opt) + " " + value + " is ignored: --model " +
                      std::string(model.name()) + " does not read it");
    }
    return out;
}

unsigned worker_count(const config::Config& cfg, unsigned model_default, std::string_view what) {
    const unsigned n = config::resolve_workers(cfg.workers, model_default);
    if (cfg.workers == 0) spdlog::info("--workers auto: {} {} (one per core)", n, what);
    return n;
}

}  // namespace server
