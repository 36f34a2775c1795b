// What is generic over the option table (option_table.cpp): conversion, validation, the
// reload's changes.
#include "config/options.hpp"

#include <algorithm>
#include <filesystem>
#include <type_traits>

#include "config/option_checks.hpp"
#include "config/units.hpp"

namespace config {
namespace {

using namespace checks;

using ms = std::chrono::milliseconds;
using Result = std::optional<std::string>;

template <typename Parse, typename T>
Result parse_into(const std::string& text, const Option& opt, Parse parse, T& out,
                  std::string_view noun, std::string_view hint = {}) {
    auto value = parse(text);
    if (value) {
        out = *value;
        return std::nullopt;
    }
    return flag(opt) + ": invalid " + std::string(opt.noun.empty() ? noun : opt.noun) + " '" +
           text + "'" + std::string(opt.hint.empty() ? hint : opt.hint);
}

Result check_choice(const Config& cfg, const Option& opt) {
    const std::string& v = value<std::string>(cfg, opt);
    if (std::find(opt.choices.begin(), opt.choices.end(), v) != opt.choices.end())
        return std::nullopt;
    return flag(opt) + ": unknown " + std::string(opt.noun) + " '" + v + "' (use " +
           list_choices(opt.choices) + ")";
}

// A count's value as its word ("auto", "model default"), if it has one.
std::optional<std::string> count_word(unsigned v, const Option& opt) {
    if (v == 0 && !opt.zero_word.empty()) return std::string(opt.zero_word);
    if (v == workers_unset && !opt.unset_word.empty()) return std::string(opt.unset_word);
    return std::nullopt;
}

// The value as the reload log shows it: numbers plain (or their word), durations in
// milliseconds.
std::string show(const Config& cfg, const Option& opt) {
    return std::visit(
        [&](auto field) -> std::string {
            const auto& v = cfg.*field;
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>)
                return v;
            else if constexpr (std::is_same_v<T, std::vector<std::string>>)
                return v.empty() && !opt.none_word.empty() ? std::string(opt.none_word)
                                                           : join(v, ",");
            else if constexpr (std::is_same_v<T, bool>)
                return v ? "true" : "false";
            else if constexpr (std::is_same_v<T, ms>)
                return std::to_string(v.count()) + "ms";
            else if constexpr (std::is_same_v<T, unsigned>)
                return count_word(v, opt).value_or(std::to_string(v));
            else
                return std::to_string(v);
        },
        opt.field);
}

}  // namespace

std::string flag(const Option& opt) { return "--" + std::string(opt.name); }

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += sep;
        out += item;
    }
    return out;
}

std::string format_value(const Config& cfg, const Option& opt) {
    return std::visit(
        [&](auto field) -> std::string {
            const auto& v = cfg.*field;
            using T = std::decay_t<decltype(v)>;
            if constexpr (std::is_same_v<T, std::string>)
                return v;
            else if constexpr (std::is_same_v<T, unsigned>)
                return count_word(v, opt).value_or(std::to_string(v));
            else if constexpr (std::is_same_v<T, std::size_t>)
                return format_size(v);
            else if constexpr (std::is_same_v<T, ms>)
                return format_duration(v);
            else
                return {};  // lists and flags: CLI11 binds them directly
        },
        opt.field);
}

Result convert_value(const std::string& text, const Option& opt, Config& cfg) {
    return std::visit(
        [&](auto field) -> Result {
            auto& out = cfg.*field;
            using T = std::decay_t<decltype(out)>;
            if constexpr (std::is_same_v<T, std::string>) {
                out = text;
                return std::nullopt;
            } else if constexpr (std::is_same_v<T, unsigned>) {
                if (!opt.zero_word.empty() && text == opt.zero_word) {
                    out = 0;
                    return std::nullopt;
                }
                if (!opt.unset_word.empty() && text == opt.unset_word) {
                    out = workers_unset;
                    return std::nullopt;
                }
                return parse_into(text, opt, parse_count, out, "number");
            } else if constexpr (std::is_same_v<T, std::size_t>) {
                return parse_into(text, opt, parse_size, out, "size");
            } else if constexpr (std::is_same_v<T, ms>) {
                return parse_into(text, opt, parse_duration, out, "duration");
            } else {
                return std::nullopt;  // lists and flags: CLI11 binds them directly
            }
        },
        opt.field);
}

void convert_list(const std::vector<std::string>& items, const Option& opt, Config& cfg) {
    auto& out = cfg.*std::get<std::vector<std::string> Config::*>(opt.field);
    const bool none = !opt.none_word.empty() && items.size() == 1 && items[0] == opt.none_word;
    out = none ? std::vector<std::string>{} : items;
}

std::string list_choices(std::span<const std::string_view> choices) {
    std::string out;
    for (std::size_t i = 0; i < choices.size(); ++i) {
        if (i > 0) out += i + 1 == choices.size() ? " or " : ", ";
        out += choices[i];
    }
    return out;
}

// Declared in config.hpp; defined here because it is the table's checks, in table order.
std::optional<std::string> validate(const Config& cfg) {
    if (auto problem = first_problem(cfg)) return std::move(problem->message);
    return std::nullopt;
}

namespace {

// The first problem of cfg's options (of those a site may set, for a site's Config).
std::optional<Problem> first_of(const Config& cfg, bool site) {
    for (std::size_t i = 0; i < options().size(); ++i) {
        const Option& opt = options()[i];
        if (site && !opt.site) continue;
        Result err = opt.choices.empty() ? std::nullopt : check_choice(cfg, opt);
        if (!err && opt.check != nullptr) err = opt.check(cfg, opt);
        if (err) return Problem{i, std::move(*err), std::nullopt};
    }
    return std::nullopt;
}

}  // namespace

std::optional<Problem> first_problem(const Config& cfg) {
    if (auto problem = first_of(cfg, false)) return problem;
    for (std::size_t s = 0; s < cfg.sites.size(); ++s) {
        auto problem = first_of(cfg.sites[s].config, true);
        if (!problem) continue;
        // The checks name the option as a flag; in a site it is a key of the file.
        const Option& opt = options()[problem->option];
        const std::string as_flag = flag(opt) + ": ";
        if (problem->message.starts_with(as_flag))
            problem->message.replace(
                0, as_flag.size(),
                "'site[" + std::to_string(s + 1) + "]." + std::string(opt.name) + "': ");
        problem->site = s;
        return problem;
    }
    return std::nullopt;
}

std::vector<Change> changes(const Config& running, const Config& fresh, Apply apply) {
    std::vector<Change> out;
    for (const Option& opt : options()) {
        if (opt.apply != apply) continue;
        std::string from = show(running, opt), to = show(fresh, opt);
        if (from != to) out.push_back({opt.name, std::move(from), std::move(to)});
    }
    return out;
}

void copy_values(Config& to, const Config& from, Apply apply) {
    for (const Option& opt : options()) {
        if (opt.apply == apply) std::visit([&](auto field) { to.*field = from.*field; }, opt.field);
    }
}

}  // namespace config
