#include "config/file/cli.hpp"

#include <algorithm>
#include <exception>
#include <string_view>

#include <CLI/CLI.hpp>

#include "config/file/toml_file.hpp"
#include "config/options.hpp"
#include "config/version.hpp"

namespace config {
namespace {

// Every option is captured as the text the user typed and converted by our own parsers, so a
// bad value yields one line naming the option instead of CLI11's multi-line conversion errors.
// Lists and flags are the exception: CLI11 splits and reads those itself. The --config file
// (toml_file.hpp) fills the same slots for the options no flag gave.
using RawValue = OptionValue;

struct Raw {
    std::vector<RawValue> values;  // by index into options(); sized once, CLI11 holds pointers
    std::vector<const CLI::Option*> flags;  // by index into options(): was it given as a flag?
    std::string config_file;
    FileTables tables;            // the file's tables for the top level
    std::vector<FileSite> sites;  // and its [[site]] tables
    const CLI::Option* config = nullptr;
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
    raw.flags.assign(options().size(), nullptr);
    for (std::size_t i = 0; i < options().size(); ++i) {
        const Option& opt = options()[i];
        RawValue& slot = raw.values[i];
        const std::string name = flag(opt), help = help_text(opt, models);
        if (std::holds_alternative<bool Config::*>(opt.field)) {
            // --autoindex=false lets a flag switch off what the config file switched on.
            raw.flags[i] = app.add_flag(name, slot.flag, help);
        } else if (std::holds_alternative<std::vector<std::string> Config::*>(opt.field)) {
            raw.flags[i] = app.add_option(name, slot.list, help)
                               ->type_name(std::string(opt.type_name))
                               ->delimiter(',')
                               ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
        } else {
            raw.flags[i] =
                app.add_option(name, slot.text, help)->type_name(std::string(opt.type_name));
        }
    }
}

void bind_actions(CLI::App& app, Raw& raw) {
    // Actions are no keys of the config file (toml_file.cpp refuses them by name).
    app.add_flag("--list-models", raw.list_models, "Print the model names and exit");
    app.add_flag("--version", raw.version, "Print the version and exit");
    app.add_flag("--check-config", raw.check_config,
                 "Check everything startup checks (as --user), then exit");
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
    // Given twice, the last --config wins, like any other option.
    raw.config =
        app.add_option("--config", raw.config_file, "Read options from this TOML file (flags win)")
            ->type_name("FILE");
    bind_options(app, raw, models);
    bind_actions(app, raw);
}

std::optional<std::string> convert_one(const Option& opt, const RawValue& slot, Config& cfg) {
    if (std::holds_alternative<std::vector<std::string> Config::*>(opt.field))
        convert_list(slot.list, opt, cfg);
    else if (const auto* flag = std::get_if<bool Config::*>(&opt.field))
        cfg.** flag = slot.flag;
    else
        return convert_value(slot.text, opt, cfg);
    return std::nullopt;
}

std::optional<std::string> convert(const Raw& raw, Config& cfg) {
    for (std::size_t i = 0; i < options().size(); ++i)
        if (auto err = convert_one(options()[i], raw.values[i], cfg)) return err;
    return std::nullopt;
}

// Each [[site]]'s Config: the top level's final values (flags included, so a flag reaches
// every site that does not set the key itself) with the site's keys and tables applied.
void build_sites(const Raw& raw, Config& cfg) {
    const Config top = cfg;  // without sites: a site's own Config holds none
    for (const FileSite& file : raw.sites) {
        Site site{file.hosts, top};
        for (std::size_t i = 0; i < options().size(); ++i)
            // Converted once already when the file was read, so this cannot fail.
            if (file.values[i]) (void)convert_one(options()[i], *file.values[i], site.config);
        file.tables.apply(site.config);
        cfg.sites.push_back(std::move(site));
    }
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

// The file's values for the options no flag gave: flags win wherever they stand.
std::optional<std::string> merge_config_file(Raw& raw) {
    FileContents file;
    if (auto err = read_config_file(raw.config_file, file)) return err;
    for (std::size_t i = 0; i < file.values.size(); ++i)
        if (file.values[i] && raw.flags[i]->count() == 0)
            raw.values[i] = std::move(*file.values[i]);
    raw.tables = std::move(file.tables);
    raw.sites = std::move(file.sites);
    return std::nullopt;
}

// Where the file gave the option `name` ("--config 'F' line L, column C: "), or "".
const std::string& place_of(const Raw& raw, std::string_view name) {
    const auto all = options();
    const auto it = std::find_if(all.begin(), all.end(),
                                 [name](const Option& opt) { return opt.name == name; });
    return raw.values[static_cast<std::size_t>(it - all.begin())].place;
}

// Where the file gave the value a problem is about: a site's own key, else its [[site]]
// header (an inherited value that fails there, such as a min above the site's max).
const std::string& place_of(const Raw& raw, const Problem& problem) {
    if (!problem.site) return raw.values[problem.option].place;
    const FileSite& site = raw.sites[*problem.site];
    const auto& value = site.values[problem.option];
    return value ? value->place : site.place;
}

// After a successful parse: actions first, then values, then cross-checks.
ParseResult finish(const Raw& raw, ParseResult result, const std::vector<std::string>& models) {
    if (raw.version) return {Action::exit_ok, result.cfg, std::string(version_line)};
    if (raw.list_models) return {Action::list_models, result.cfg, join(models, "\n")};
    auto err = convert(raw, result.cfg);
    if (!err) {
        raw.tables.apply(result.cfg);
        build_sites(raw, result.cfg);
    }
    if (!err) {
        if (auto bad = check_model(result.cfg.model, models)) err = place_of(raw, "model") + *bad;
    }
    if (!err) {
        // A value the file gave is blamed on its line in the file.
        if (auto problem = first_problem(result.cfg))
            err = place_of(raw, *problem) + problem->message;
    }
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
        // CLI11's messages are one line once cut at the first newline.
        return {Action::exit_error, result.cfg, first_line(e.what()) + " (see --help)"};
    } catch (const std::exception& e) {
        return {Action::exit_error, result.cfg, first_line(e.what())};
    }
    if (raw.config->count() > 0) {
        // The same path at startup, for --check-config and on reload (control.cpp re-parses).
        if (auto err = merge_config_file(raw)) return {Action::exit_error, result.cfg, *err};
        result.cfg.config_file = raw.config_file;
    }
    return finish(raw, std::move(result), model_names);
}

}  // namespace config
