// The --config file: TOML read with cpptoml (Debian's libcpptoml-dev), checked against the
// option table and handed to parse_command_line() as the same raw values a flag gives, so that
// flags, file keys and their conversion share one path. Called by parse_command_line() at
// startup, for --check-config and on every reload (SIGHUP re-runs it), on the calling thread;
// it blocks only to read the file. Never throws, never prints.
//
// Every problem is ONE line naming the file, the line and column, and the key:
//   --config 'FILE' line L, column C: 'root' must be a string, not an integer
// cpptoml reports syntax errors with a line only; the columns (and the positions of keys whose
// type is wrong) come from scan_toml(), a light re-reading of the text that knows strings,
// comments, arrays and table headers but not the rest of TOML's grammar.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace config {

// One option's value as the user gave it, before conversion: the text of a scalar, the items
// of a list, or a flag's state. A flag on the command line and a key in the file fill the same.
struct OptionValue {
    std::string text;
    std::vector<std::string> list;
    bool flag = false;
    // Where a file gave it: "--config 'FILE' line L, column C: ", the prefix of any later
    // complaint about the value (validate()); empty for a flag or a default.
    std::string place;
};

// Indexed like options(): the keys the file sets; the others stay empty.
using FileValues = std::vector<std::optional<OptionValue>>;

// Reads the file at path and fills out (resized to options().size()); or the one-line error.
// Scalar values are also converted once, on a scratch Config, so that a bad value is reported
// with its place in the file even when a flag overrides it.
std::optional<std::string> read_config_file(const std::string& path, FileValues& out);

// --- scan_toml(): where things are in the text (exposed for its tests) ----------------------

// A top-level `key = value` line, or a [table] / [[array]] header.
struct TomlStatement {
    std::string key;      // the first component, unquoted ("a" for `a.b = 1` or `[a.b]`)
    std::string written;  // the whole key or header as written ("a.b", "[server]")
    bool header = false;
    std::size_t line = 0;          // 1-based
    std::size_t key_offset = 0;    // bytes into the line
    std::size_t value_offset = 0;  // bytes into the line; a header's is its key_offset
};

struct TomlPosition {
    std::size_t line = 0;       // 1-based
    std::size_t offset = 0;     // bytes into the line
    std::size_t statement = 0;  // index into statements
};

struct TomlLayout {
    std::vector<std::string> lines;  // without their "\n" or "\r\n"
    std::vector<TomlStatement> statements;
    // Per line (index line - 1): 1 + the index of the statement whose value covers it (a
    // multi-line array or string), or 0.
    std::vector<std::size_t> owner;
    // The first '[' or '{' of a value that is never closed; cpptoml accepts some of these
    // (`index = ["a"x`) and reports others at the end of the file.
    std::optional<TomlPosition> unclosed;

    const TomlStatement* on_line(std::size_t line) const;
    const TomlStatement* find(std::string_view key) const;  // the first statement of key
    // 1-based, in characters (UTF-8), as an editor shows it.
    std::size_t column(std::size_t line, std::size_t offset) const;
};

TomlLayout scan_toml(std::string_view text);

}  // namespace config
