// The option table and what is generic over it. Adding an option is one entry in `table`
// below plus its Config field; the flag, the config-file key, --help, conversion, validation
// and the reload behaviour follow from the entry.
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

constexpr std::string_view duration_hint = " (use e.g. 10s, 500ms)";

// --help lists them in this order; keep related options together.
constexpr Option table[] = {
    {.name = "model",
     .field = &Config::model,
     .type_name = "NAME",
     .help = "Concurrency model: {models}",
     .apply = Apply::restart},
    {.name = "listen",
     .field = &Config::listen,
     .type_name = "ADDR",
     .help = "Address to listen on: host:port, [ipv6]:port, :port (repeat or a,b for several); "
             "none: no plain HTTP (HTTPS only, with --tls-listen)",
     .apply = Apply::restart,
     .check = check_listen,
     .none_word = "none"},
    {.name = "tls-listen",
     .field = &Config::tls_listen,
     .type_name = "ADDR",
     .help = "Address to serve HTTPS on, same forms as --listen (repeat or a,b for several); "
             "none: no HTTPS",
     .apply = Apply::restart,
     .check = check_tls_listen,
     .none_word = "none"},
    {.name = "tls-cert",
     .field = &Config::tls_cert,
     .type_name = "FILE",
     .help = "PEM certificate, chain included (repeat, paired with --tls-key; SNI picks one)"},
    {.name = "tls-key",
     .field = &Config::tls_key,
     .type_name = "FILE",
     .help = "PEM private key of the --tls-cert in the same position",
     .check = check_tls_pairs},
    // No redirect to the listener's own address for a Host-less (HTTP/1.0) request: a
    // certificate names hosts, so the https URL would fail anyway (nginx has server_name).
    {.name = "redirect-https",
     .field = &Config::redirect_https,
     .help = "Plain listeners answer every request (the status path too) with 308 to https://"
             "its Host, on the port of the first --tls-listen, path and query kept; a request "
             "without Host gets 400",
     .check = check_redirect_https},
    {.name = "hsts",
     .field = &Config::hsts,
     .type_name = "DURATION",
     .help = "Send Strict-Transport-Security: max-age=DURATION on HTTPS responses, e.g. 365d "
             "(0: off; never on plain HTTP)",
     .hint = " (use e.g. 365d or 3600s)",
     .check = check_hsts},
    {.name = "root",
     .field = &Config::root,
     .type_name = "DIR",
     .help = "Directory to serve",
     .check = check_root},
    {.name = "allow-system-root",
     .field = &Config::allow_system_root,
     .help = "Serve a root of / or a system directory (/etc, /usr, /proc...) all the same"},
    {.name = "index",
     .field = &Config::index,
     .type_name = "NAMES",
     .help = "Index file names for directories (repeat or a,b)",
     .check = check_index},
    // --autoindex=false lets a flag switch off what the config file switched on.
    {.name = "autoindex",
     .field = &Config::autoindex,
     .help = "List directories that have no index file"},
    {.name = "hidden", .field = &Config::hidden, .help = "Serve dotfiles (hidden by default)"},
    {.name = "workers",
     .field = &Config::workers,
     .type_name = "N|auto",
     .help = "Event loops (select, poll, epoll-*, coroutine, uring: default 1) or prefork "
             "processes (default 8); auto: one per core",
     .apply = Apply::at_start,
     .noun = "worker count",
     .hint = " (use a number or auto)",
     .zero_word = "auto",
     .check = check_workers,
     .unset_word = "model default",
     .per_model = true},
    {.name = "max-connections",
     .field = &Config::max_connections,
     .type_name = "N",
     .help = "Open connections at most",
     .apply = Apply::at_start,
     .check = check_max_connections},
    {.name = "max-requests-per-worker",
     .field = &Config::max_requests_per_worker,
     .type_name = "N",
     .help = "prefork: recycle a worker after N requests (0: never)",
     .per_model = true},
    {.name = "uring-files",
     .field = &Config::uring_files,
     .type_name = "MODE",
     .help = "uring: send large files by {choices} (through a pipe)",
     .choices = uring_files_modes,
     .noun = "mode",
     .per_model = true},
    {.name = "defer-accept",
     .field = &Config::defer_accept,
     .type_name = "DURATION",
     .help = "Accept a connection only once its request arrives, waiting at most this long "
             "(TCP_DEFER_ACCEPT; 0: off)",
     .apply = Apply::restart,
     .hint = duration_hint},
    {.name = "header-timeout",
     .field = &Config::header_timeout,
     .type_name = "DURATION",
     .help = "Time allowed for a request head",
     .hint = duration_hint,
     .check = check_positive},
    {.name = "keepalive-timeout",
     .field = &Config::keepalive_timeout,
     .type_name = "DURATION",
     .help = "Idle time between requests",
     .hint = duration_hint,
     .check = check_positive},
    {.name = "send-timeout",
     .field = &Config::send_timeout,
     .type_name = "DURATION",
     .help = "Time a stalled write may wait",
     .hint = duration_hint,
     .check = check_positive},
    {.name = "shutdown-timeout",
     .field = &Config::shutdown_timeout,
     .type_name = "DURATION",
     .help = "Grace period to drain on stop",
     .hint = duration_hint,
     .check = check_positive},
    {.name = "max-head-size",
     .field = &Config::max_head_size,
     .type_name = "SIZE",
     .help = "Request head limit (431 beyond)",
     .hint = " (use e.g. 16384 or 16k)",
     .check = check_head_size},
    {.name = "max-target-size",
     .field = &Config::max_target_size,
     .type_name = "SIZE",
     .help = "Request target limit (414 beyond)",
     .hint = " (use e.g. 8192 or 8k)",
     .check = check_target_size},
    {.name = "access-log",
     .field = &Config::access_log,
     .type_name = "PATH|-|off",
     .help = "Access log file, - for stdout, or off",
     .check = check_access_log},
    {.name = "log-level",
     .field = &Config::log_level,
     .type_name = "LEVEL",
     .help = "{choices}",
     .choices = log_levels,
     .noun = "level"},
    {.name = "access-log-format",
     .field = &Config::access_log_format,
     .type_name = "FORMAT",
     .help = "Access log lines: {choices}",
     .choices = access_log_formats,
     .noun = "format"},
    {.name = "error-log",
     .field = &Config::error_log,
     .type_name = "PATH|-",
     .help = "Diagnostic log file, or - for stderr",
     .check = check_error_log},
    {.name = "status-path",
     .field = &Config::status_path,
     .type_name = "PATH",
     .help = "Serve Prometheus metrics at this URL path (off when empty)",
     .check = check_status_path},
    {.name = "user",
     .field = &Config::user,
     .type_name = "NAME",
     .help = "Switch to this user after binding (when root)",
     .apply = Apply::restart,
     .check = check_user},
    {.name = "group",
     .field = &Config::group,
     .type_name = "NAME",
     .help = "Switch to this group (default: the user's)",
     .apply = Apply::restart,
     .check = check_group},
};

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

std::span<const Option> options() noexcept { return table; }

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

std::optional<Problem> first_problem(const Config& cfg) {
    for (std::size_t i = 0; i < std::size(table); ++i) {
        const Option& opt = table[i];
        Result err = opt.choices.empty() ? std::nullopt : check_choice(cfg, opt);
        if (!err && opt.check != nullptr) err = opt.check(cfg, opt);
        if (err) return Problem{i, std::move(*err)};
    }
    return std::nullopt;
}

std::vector<Change> changes(const Config& running, const Config& fresh, Apply apply) {
    std::vector<Change> out;
    for (const Option& opt : table) {
        if (opt.apply != apply) continue;
        std::string from = show(running, opt), to = show(fresh, opt);
        if (from != to) out.push_back({opt.name, std::move(from), std::move(to)});
    }
    return out;
}

void copy_values(Config& to, const Config& from, Apply apply) {
    for (const Option& opt : table) {
        if (opt.apply == apply) std::visit([&](auto field) { to.*field = from.*field; }, opt.field);
    }
}

}  // namespace config
