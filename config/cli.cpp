#include "config/cli.hpp"

#include <algorithm>
#include <exception>
#include <string_view>

#include <CLI/CLI.hpp>

#include "config/options.hpp"
#include "config/version.hpp"

namespace config {
namespace {

// Every option is captured as the text the user typed and converted by our own parsers, so a
// bad value yields one line naming the option instead of CLI11's multi-line conversion errors.
// Lists and flags are the exception: CLI11 splits and reads those itself.
struct RawValue {
    std::string text;
    std::vector<std::string> list;
    bool flag = false;
};

struct Raw {
    std::vector<RawValue> values;  // by index into options(); sized once, CLI11 holds pointers
    bool list_models = false;
    bool version = false;
    bool check_config = false;
};

Raw defaults_as_text(const Config& d) {
    Raw r;
    r.values.resize(options().size());
    for (std::size_t i = 0; i < options().size(); ++i) {
        const Option& opt = options()[i];
        if (const auto* list = std::get_if<std::vector<std::string> Config::*>(&opt.field))
            r.values[i].list = d.**list;
        else if (const auto* flag = std::get_if<bool Config::*>(&opt.field))
            r.values[i].flag = d.**flag;
        else
            r.values[i].text = format_value(d, opt);
    }
    return r;
}

std::string help_text(const Option& opt, const std::vector<std::string>& models) {
    std::string help(opt.help);
    const auto put = [&help](std::string_view placeholder, const std::string& text) {
        if (const auto at = help.find(placeholder); at != std::string::npos)
            help.replace(at, placeholder.size(), text);
    };
    put("{models}", join(models, ", "));
    put("{choices}", list_choices(opt.choices));
    return help;
}

void bind_options(CLI::App& app, Raw& raw, const std::vector<std::string>& models) {
    for (std::size_t i = 0; i < options().size(); ++i) {
        const Option& opt = options()[i];
        RawValue& slot = raw.values[i];
        const std::string name = flag(opt), help = help_text(opt, models);
        if (std::holds_alternative<bool Config::*>(opt.field)) {
            // --autoindex=false lets a flag switch off what the config file switched on.
            app.add_flag(name, slot.flag, help);
        } else if (std::holds_alternative<std::vector<std::string> Config::*>(opt.field)) {
            app.add_option(name, slot.list, help)
                ->type_name(std::string(opt.type_name))
                ->delimiter(',')
                ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
        } else {
            app.add_option(name, slot.text, help)->type_name(std::string(opt.type_name));
        }
    }
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
    bind_options(app, raw, models);
    bind_actions(app, raw);
}

std::optional<std::string> convert(const Raw& raw, Config& cfg) {
    for (std::size_t i = 0; i < options().size(); ++i) {
        const Option& opt = options()[i];
        const RawValue& slot = raw.values[i];
        if (const auto* list = std::get_if<std::vector<std::string> Config::*>(&opt.field))
            cfg.** list = slot.list;
        else if (const auto* flag = std::get_if<bool Config::*>(&opt.field))
            cfg.** flag = slot.flag;
        else if (auto err = convert_value(slot.text, opt, cfg))
            return err;
    }
    return std::nullopt;
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
    if (dynamic_cast<const CLI::FileError*>(&e) != nullptr) return file + "cannot read the file";
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
    if (raw.check_config) return {Action::check_config, result.cfg, "configuration OK"};
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
        const std::string path =
            opt != nullptr && !opt->results().empty() ? opt->results().back() : std::string();
        return {Action::exit_error, result.cfg, describe(e, path)};
    } catch (const std::exception& e) {
        return {Action::exit_error, result.cfg, first_line(e.what())};
    }
    const auto* opt = app.get_config_ptr();
    if (opt->count() > 0) result.cfg.config_file = opt->results().back();
    return finish(raw, std::move(result), model_names);
}

}  // namespace config
