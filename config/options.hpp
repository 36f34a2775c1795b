// The option table: every run-time option declared once, in option_table.cpp: its name (the flag
// without "--" and the config-file key), the Config field it fills (whose initialiser is the
// default), its --help line, its validation and when a reload applies it. Everything else is
// generated from it: CLI11's flags and TOML keys and --help (config/file/cli.cpp), validate()
// (config.cpp), and what a reload reports and keeps (server/proc/control.cpp).
// The table is constant and these functions are pure: any thread, never blocking, except the
// checks of --user/--group, which consult NSS.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "config/config.hpp"

namespace config {

// When a value changed in the configuration takes effect after SIGHUP.
enum class Apply : std::uint8_t {
    live,      // the next connection serves with it
    restart,   // never on reload: the running value is kept and the change logged as needing
               // a restart
    at_start,  // published like a live one; models that size a pool or a cap per reload or
               // per connection (prefork, fork, thread) apply it, the reactors at their next
               // start
};

// The field an option fills; its type decides how the text is converted: strings as typed,
// lists split at commas, booleans as flags, unsigned as a count, size_t as a SIZE,
// milliseconds as a DURATION (units.hpp).
using Field =
    std::variant<std::string Config::*, std::vector<std::string> Config::*, bool Config::*,
                 unsigned Config::*, std::size_t Config::*, std::chrono::milliseconds Config::*>;

struct Option;
// A validation beyond conversion and choices: the problem as one line naming the option.
using Check = std::optional<std::string> (*)(const Config&, const Option&);

struct Option {
    std::string_view name = {};       // the flag without "--"; also the config-file key
    Field field = {};                 // its initialiser in Config is the default
    std::string_view type_name = {};  // the placeholder in --help ("DURATION"); none for flags
    std::string_view help = {};       // "{choices}": the choices; "{models}": the model names
    Apply apply = Apply::live;
    std::span<const std::string_view> choices = {};  // when set, the only values accepted
    std::string_view noun = {};       // errors say "invalid <noun>" (conversion) or "unknown
                                      // <noun>" (choices); numbers default to their kind's
    std::string_view hint = {};       // after a conversion error: " (use e.g. 16k)"
    std::string_view zero_word = {};  // a count: this word stands for 0 ("auto")
    Check check = nullptr;            // run by validate() after the choices
    // A count: this word stands for "not given", the default (workers_unset: the model decides).
    std::string_view unset_word = {};
    // Read by some models only (server::Model::reads names them): a value set for a model that
    // does not read it is warned of at startup.
    bool per_model = false;
    // A list: this word given alone stands for the empty list ("--listen none": no plain
    // listener, for an HTTPS-only server), so a flag can also empty what the file set.
    std::string_view none_word = {};
    // A [[site]] table may set it too (its value for that site; the top level's is inherited).
    bool site = false;
};

// Every option, in --help order; validate() reports the first problem in this order too.
std::span<const Option> options() noexcept;

// validate()'s first problem and the option it concerns (an index into options()), so that a
// value from the --config file can be reported at its place in the file. The top level's
// options are checked first, then each site's (the options a site may set, on its Config):
// site is then its index into Config::sites, and message names the key as the file would
// ("'site[2].root': '/x' does not exist").
struct Problem {
    std::size_t option = 0;
    std::string message;
    std::optional<std::size_t> site;
};
std::optional<Problem> first_problem(const Config& cfg);

// "--name", as every message names an option.
std::string flag(const Option& opt);

// The value as a flag would spell it: the default shown by --help and written by users
// ("10s", "16k", "auto"). Not for lists and flags, which CLI11 shows itself.
std::string format_value(const Config& cfg, const Option& opt);

// Stores text, as typed for this option, into cfg; or the one-line error naming the option.
// Not for lists and flags, which CLI11 stores itself.
std::optional<std::string> convert_value(const std::string& text, const Option& opt, Config& cfg);

// A list as typed for this option (CLI11's or the file's items) into cfg: the none_word alone
// is the empty list; anything else is stored as given (validate() refuses a none_word mixed
// with other items).
void convert_list(const std::vector<std::string>& items, const Option& opt, Config& cfg);

// The items with sep between them ("a, b").
std::string join(const std::vector<std::string>& items, std::string_view sep);

// The choices as a sentence: "common, combined or json".
std::string list_choices(std::span<const std::string_view> choices);

// The options of one Apply class whose values differ, in table order, as a reload logs them
// ("defer-accept", "0ms", "3000ms": durations in milliseconds).
struct Change {
    std::string_view name = {};
    std::string from, to;
};
std::vector<Change> changes(const Config& running, const Config& fresh, Apply apply);

// Copies the values of one Apply class from `from` into `to` (a reload keeps the running
// values of the restart-only options).
void copy_values(Config& to, const Config& from, Apply apply);

}  // namespace config
