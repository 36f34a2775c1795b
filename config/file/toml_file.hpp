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
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

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

// The TOML-only tables of one level, the top level or a [[site]] (issue 16), checked: those
// the file sets. Each replaces the inherited value whole, as nginx's error_page and
// add_header do in a server block: a site with its own [[headers]] has none of the top
// level's.
struct FileTables {
    std::optional<std::map<unsigned, std::string>> error_pages;
    std::optional<std::vector<HeaderRule>> headers;
    std::optional<std::vector<RedirectRule>> redirects;
    std::optional<CorsRule> cors;

    void apply(Config& cfg) const;
};

// A [[site]] table: its hosts (lower-case, checked, unique across sites), its option keys
// (only the options a site may set) and its tables.
struct FileSite {
    std::vector<std::string> hosts;
    FileValues values;
    FileTables tables;
    std::string place;  // where its [[site]] header is: "--config 'F' line L, column C: "
};

struct FileContents {
    FileValues values;  // the top level's option keys
    FileTables tables;  // the top level's tables: the default site's
    std::vector<FileSite> sites;
};

// Reads the file at path and fills out (values resized to options().size()); or the one-line
// error. Scalar values are also converted once, on a scratch Config, so that a bad value is
// reported with its place in the file even when a flag overrides it.
std::optional<std::string> read_config_file(const std::string& path, FileContents& out);

// --- scan_toml(): where things are in the text (exposed for its tests) ----------------------

// A `key = value` line, a [table] / [[array]] header, or a key inside an inline table.
struct TomlStatement {
    std::string key;      // the first component, unquoted ("a" for `a.b = 1` or `[a.b]`)
    std::string written;  // the whole key or header as written ("a.b", "[server]")
    // The table the key stands in, and the key's full path, as the reader names keys:
    // components unquoted and joined with '.', each element of an array of tables numbered
    // from 1 ("site[2].headers[1].set"). A header's table is "" and its path the table it opens.
    std::string table;
    std::string path;
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
    // The keys written inside inline tables (`set = { "Cache-Control" = "..." }`), in order.
    std::vector<TomlStatement> inline_keys;
    // Per line (index line - 1): 1 + the index of the statement whose value covers it (a
    // multi-line array or string), or 0.
    std::vector<std::size_t> owner;
    // The first '[' or '{' of a value that is never closed; cpptoml accepts some of these
    // (`index = ["a"x`) and reports others at the end of the file.
    std::optional<TomlPosition> unclosed;

    const TomlStatement* on_line(std::size_t line) const;
    // The first top-level statement of key (a key of the root table, or a header opening it).
    const TomlStatement* find(std::string_view key) const;
    // Where the key at path is written: its statement; else the first one below it (a dotted
    // key or a sub-table: "a" for `a.b = 1`; an array of tables: "a" for `[[a]]`); else the nearest
    // enclosing one ("site[2]" for a key missing from that table); null when none is.
    const TomlStatement* find_path(std::string_view path) const;
    // 1-based, in characters (UTF-8), as an editor shows it.
    std::size_t column(std::size_t line, std::size_t offset) const;
};

TomlLayout scan_toml(std::string_view text);

}  // namespace config
