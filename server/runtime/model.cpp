#include "server/runtime/model.hpp"

#include <algorithm>
#include <optional>
#include <type_traits>
#include <variant>

#include <spdlog/spdlog.h>

#include "config/options.hpp"

namespace server {

namespace {

// " 4", " splice", or "" for a flag that is on; nothing when cfg leaves the option at its
// default.
std::optional<std::string> set_value(const config::Config& cfg, const config::Option& opt) {
    const config::Config defaults;
    const bool flag_on = std::visit(
        [&](auto field) {
            if constexpr (std::is_same_v<std::decay_t<decltype(cfg.*field)>, bool>)
                return cfg.*field && !(defaults.*field);
            else
                return false;
        },
        opt.field);
    if (flag_on) return std::string();
    const std::string value = config::format_value(cfg, opt);
    if (value == config::format_value(defaults, opt)) return std::nullopt;
    return " " + value;
}

}  // namespace

std::vector<std::string> ignored_options(const Model& model, const config::Config& cfg) {
    std::vector<std::string> out;
    for (const config::Option& opt : config::options()) {
        if (!opt.per_model) continue;
        const auto reads = model.reads();
        if (std::find(reads.begin(), reads.end(), opt.name) != reads.end()) continue;
        if (const auto value = set_value(cfg, opt))
            out.push_back(config::flag(opt) + *value + " is ignored: --model " +
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
