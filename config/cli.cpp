#include "config/cli.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <exception>
#include <string_view>

#include "config/units.hpp"
#include "config/version.hpp"

namespace config {
namespace {

// Every option is captured as the text the user typed and converted by our own parsers, so a
// bad value yields one line naming the option instead of CLI11's multi-line conversion errors.
struct Raw {
    std::string model, listen, root, workers, max_connections, max_requests_per_worker;
    std::string header_timeout, keepalive_timeout, send_timeout, shutdown_timeout, defer_accept;
    std::string max_head_size, max_target_size, access_log, log_level;
    std::string access_log_format, error_log, status_path, user, group;
    std::vector<std::string> index;
    bool autoindex = false;
    bool hidden = false;
    bool list_models = false;
    bool version = false;
    bool check_config = false;
};

Raw defaults_as_text(const Config& d) {
    Raw r;
    r.model = d.model;
    r.listen = d.listen;
    r.root = d.root;
    r.workers = d.workers == 0 ? "auto" : std::to_string(d.workers);
    r.max_connections = std::to_string(d.max_connections);
    r.max_requests_per_worker = std::to_string(d.max_requests_per_worker);
    r.header_timeout = format_duration(d.header_timeout);
    r.keepalive_timeout = format_duration(d.keepalive_timeout);
    r.send_timeout = format_duration(d.send_timeout);
    r.shutdown_timeout = format_duration(d.shutdown_timeout);
    r.defer_accept = format_duration(d.defer_accept);
    r.max_head_size = format_size(d.max_head_size);
    r.max_target_size = format_size(d.max_target_size);
    r.access_log = d.access_log;
    r.log_level = d.log_level;
    r.access_log_format = d.access_log_format;
    r.error_log = d.error_log;
    r.status_path = d.status_path;
    r.user = d.user;
    r.group = d.group;
    r.index = d.index;
    r.autoindex = d.autoindex;
    r.hidden = d.hidden;
    return r;
}

std::string join(const std::vector<std::string>& items, std::string_view sep) {
    std::string out;
    for (const auto& item : items) {
        if (!out.empty()) out += sep;
        out += item;
    }
    return out;
}

void bind_serving(CLI::App& app, Raw& raw, const std::vector<std::string>& models) {
    app.add_option("--model", raw.model, "Concurrency model: " + join(models, ", "))
        ->type_name("NAME");
    app.add_option("--listen", raw.listen, "Address to listen on: host:port, [ipv6]:port, :port")
        ->type_name("ADDR");
    app.add_option("--root", raw.root, "Directory to serve")->type_name("DIR");
    app.add_option("--index", raw.index, "Index file names for directories (repeat or a,b)")
        ->type_name("NAMES")
        ->delimiter(',')
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    // --autoindex=false lets a flag switch off what the config file switched on.
    app.add_flag("--autoindex", raw.autoindex, "List directories that have no index file");
    app.add_flag("--hidden", raw.hidden, "Serve dotfiles (hidden by default)");
}

void bind_limits(CLI::App& app, Raw& raw) {
    app.add_option("--workers", raw.workers, "Processes/threads for pooled models, or auto")
        ->type_name("N|auto");
    app.add_option("--max-connections", raw.max_connections, "Open connections at most")
        ->type_name("N");
    app.add_option("--max-requests-per-worker", raw.max_requests_per_worker,
                   "prefork: recycle a worker after N requests (0: never)")
        ->type_name("N");
    app.add_option("--defer-accept", raw.defer_accept,
                   "Accept a connection only once its request arrives, waiting at most this "
                   "long (TCP_DEFER_ACCEPT; 0: off)")
        ->type_name("DURATION");
    app.add_option("--header-timeout", raw.header_timeout, "Time allowed for a request head")
        ->type_name("DURATION");
    app.add_option("--keepalive-timeout", raw.keepalive_timeout, "Idle time between requests")
        ->type_name("DURATION");
    app.add_option("--send-timeout", raw.send_timeout, "Time a stalled write may wait")
        ->type_name("DURATION");
    app.add_option("--shutdown-timeout", raw.shutdown_timeout, "Grace period to drain on stop")
        ->type_name("DURATION");
    app.add_option("--max-head-size", raw.max_head_size, "Request head limit (431 beyond)")
        ->type_name("SIZE");
    app.add_option("--max-target-size", raw.max_target_size, "Request target limit (414 beyond)")
        ->type_name("SIZE");
    app.add_option("--access-log", raw.access_log, "Access log file, - for stdout, or off")
        ->type_name("PATH|-|off");
    app.add_option("--log-level", raw.log_level,
                   "trace, debug, info, warn, error, critical or off")
        ->type_name("LEVEL");
}

void bind_operations(CLI::App& app, Raw& raw) {
    app.add_option("--access-log-format", raw.access_log_format,
                   "Access log lines: common, combined or json")
        ->type_name("FORMAT");
    app.add_option("--error-log", raw.error_log, "Diagnostic log file, or - for stderr")
        ->type_name("PATH|-");
    app.add_option("--status-path", raw.status_path,
                   "Serve Prometheus metrics at this URL path (off when empty)")
        ->type_name("PATH");
    app.add_option("--user", raw.user, "Switch to this user after binding (when root)")
        ->type_name("NAME");
    app.add_option("--group", raw.group, "Switch to this group (default: the user's)")
        ->type_name("NAME");
}

void bind_actions(CLI::App& app, Raw& raw) {
    // Actions make no sense in a config file; CLI11 then rejects them as keys there.
    app.add_flag("--list-models", raw.list_models, "Print the model names and exit")
        ->configurable(false);
    app.add_flag("--version", raw.version, "Print the version and exit")->configurable(false);
    app.add_flag("--check-config", raw.check_config, "Validate the configuration and exit")
        ->configurable(false);
}

void bind_all(CLI::App& app, Raw& raw, const std::vector<std::string>& models) {
    // Scalars: the last occurrence wins, as with most daemons' flags. Defaults shown in --help
    // are the bound variables' initial values.
    app.option_defaults()->always_capture_default()->multi_option_policy(
        CLI::MultiOptionPolicy::TakeLast);
    app.get_formatter()->column_width(36);
    app.footer(
        "DURATION: 10s, 500ms, 2m, 1h or bare seconds. SIZE: bytes, or with a k or M suffix.\n"
        "Boolean flags take =false to override the config file (--autoindex=false).\n"
        "The --config file uses the long option names as keys: header-timeout = \"10s\".");
    app.set_config("--config", "", "Read options from this TOML file (flags win)");
    app.get_config_ptr()->type_name("FILE");
    app.allow_config_extras(CLI::config_extras_mode::error);
    bind_serving(app, raw, models);
    bind_limits(app, raw);
    bind_operations(app, raw);
    bind_actions(app, raw);
}

template <typename T, typename Parse>
std::optional<std::string> convert_one(std::string_view option, const std::string& text,
                                       Parse parse, T& out, std::string_view what) {
    auto value = parse(text);
    if (!value) return std::string(option) + ": invalid " + std::string(what) + " '" + text + "'";
    out = *value;
    return std::nullopt;
}

std::optional<std::string> convert_units(const Raw& raw, Config& cfg) {
    constexpr std::string_view duration = "duration";
    const std::pair<std::string_view, std::pair<const std::string*, std::chrono::milliseconds*>>
        durations[] = {
            {"--header-timeout", {&raw.header_timeout, &cfg.header_timeout}},
            {"--keepalive-timeout", {&raw.keepalive_timeout, &cfg.keepalive_timeout}},
            {"--send-timeout", {&raw.send_timeout, &cfg.send_timeout}},
            {"--shutdown-timeout", {&raw.shutdown_timeout, &cfg.shutdown_timeout}},
            {"--defer-accept", {&raw.defer_accept, &cfg.defer_accept}},
        };
    for (const auto& [name, slot] : durations) {
        if (auto err = convert_one(name, *slot.first, parse_duration, *slot.second, duration))
            return *err + " (use e.g. 10s, 500ms)";
    }
    if (auto err = convert_one("--max-head-size", raw.max_head_size, parse_size,
                               cfg.max_head_size, "size"))
        return *err + " (use e.g. 16384 or 16k)";
    if (auto err = convert_one("--max-target-size", raw.max_target_size, parse_size,
                               cfg.max_target_size, "size"))
        return *err + " (use e.g. 8192 or 8k)";
    return std::nullopt;
}

std::optional<std::string> convert(const Raw& raw, Config& cfg) {
    cfg.model = raw.model;
    cfg.listen = raw.listen;
    cfg.root = raw.root;
    cfg.index = raw.index;
    cfg.autoindex = raw.autoindex;
    cfg.hidden = raw.hidden;
    cfg.access_log = raw.access_log;
    cfg.log_level = raw.log_level;
    cfg.access_log_format = raw.access_log_format;
    cfg.error_log = raw.error_log;
    cfg.status_path = raw.status_path;
    cfg.user = raw.user;
    cfg.group = raw.group;
    if (raw.workers == "auto") {
        cfg.workers = 0;
    } else if (auto err = convert_one("--workers", raw.workers, parse_count, cfg.workers,
                                      "worker count")) {
        return *err + " (use a number or auto)";
    }
    if (auto err = convert_one("--max-connections", raw.max_connections, parse_count,
                               cfg.max_connections, "number"))
        return err;
    if (auto err = convert_one("--max-requests-per-worker", raw.max_requests_per_worker,
                               parse_count, cfg.max_requests_per_worker, "number"))
        return err;
    return convert_units(raw, cfg);
}

std::optional<std::string> check_model(const std::string& model,
                                       const std::vector<std::string>& models) {
    if (std::find(models.begin(), models.end(), model) != models.end()) return std::nullopt;
    return "unknown model '" + model + "'; valid models: " + join(models, ", ");
}

std::string first_line(std::string text) {
    const auto nl = text.find('\n');
    if (nl != std::string::npos) text.resize(nl);
    return text;
}

// CLI11's messages are mostly one line already; the config-file ones are reworded so that they
// name the file and the key the way the user wrote them.
std::string describe(const CLI::ParseError& e, const std::string& config_path) {
    const std::string what = first_line(e.what());
    const std::string file = "--config '" + config_path + "': ";
    if (dynamic_cast<const CLI::FileError*>(&e) != nullptr)
        return file + "cannot read the file";
    if (dynamic_cast<const CLI::ConfigError*>(&e) != nullptr) {
        // The wording below is CLI11 2.1.2's (ConfigError::Extras and ::NotConfigurable).
        constexpr std::string_view extras = "INI was not able to parse ";
        constexpr std::string_view section = ".++";  // CLI11's marker for "[name]" opening
        constexpr std::string_view not_configurable =
            ": This option is not allowed in a configuration file";
        if (what.starts_with(extras)) {
            std::string key = what.substr(extras.size());
            if (key.ends_with(section)) {
                key.resize(key.size() - section.size());
                return file + "unknown section '[" + key + "]' (keys go at the top level)";
            }
            return file + "unknown key '" + key + "'";
        }
        if (what.ends_with(not_configurable))
            return file + "'" + what.substr(0, what.size() - not_configurable.size()) +
                   "' is allowed only on the command line";
        return file + what;
    }
    return what + " (see --help)";
}

// After a successful parse: actions first, then values, then cross-checks.
ParseResult finish(const Raw& raw, ParseResult result, const std::vector<std::string>& models) {
    if (raw.version) return {Action::exit_ok, result.cfg, std::string(version_line)};
    if (raw.list_models) return {Action::list_models, result.cfg, join(models, "\n")};
    auto err = convert(raw, result.cfg);
    if (!err) err = check_model(result.cfg.model, models);
    if (!err) err = validate(result.cfg);
    if (err) return {Action::exit_error, result.cfg, *err};
    if (raw.check_config) return {Action::exit_ok, result.cfg, "configuration OK"};
    return result;
}

}  // namespace

ParseResult parse_command_line(int argc, const char* const* argv,
                               const std::vector<std::string>& model_names) {
    ParseResult result;
    Raw raw = defaults_as_text(result.cfg);
    CLI::App app{"polyhttpd: a static-file HTTP/1.1 server, one binary, many concurrency models",
                 "polyhttpd"};
    try {
        bind_all(app, raw, model_names);
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        return {Action::exit_ok, result.cfg, app.help()};
    } catch (const CLI::CallForAllHelp&) {
        return {Action::exit_ok, result.cfg, app.help("", CLI::AppFormatMode::All)};
    } catch (const CLI::ParseError& e) {
        const auto* opt = app.get_config_ptr();
        const std::string path = opt != nullptr && !opt->results().empty()
                                     ? opt->results().back() : std::string();
        return {Action::exit_error, result.cfg, describe(e, path)};
    } catch (const std::exception& e) {
        return {Action::exit_error, result.cfg, first_line(e.what())};
    }
    const auto* opt = app.get_config_ptr();
    if (opt->count() > 0) result.cfg.config_file = opt->results().back();
    return finish(raw, std::move(result), model_names);
}

}  // namespace config
