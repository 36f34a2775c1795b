// What the --config reader's files share (toml_file.cpp: the top level; toml_tables.cpp: the
// site tables; toml_sites.cpp: [[site]]). Private to config/file/. Everything here runs on the
// thread that parses the configuration, after cpptoml has parsed the text; nothing blocks.
#pragma once

#include <cpptoml.h>

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/file/toml_file.hpp"
#include "config/options.hpp"

namespace config::toml {

using Result = std::optional<std::string>;
using Value = std::shared_ptr<cpptoml::base>;

// The file being read: its name and its layout, for the "--config 'F' line L, column C: "
// prefix of every message.
struct Doc {
    const std::string& path;
    const TomlLayout& layout;

    std::string at(std::size_t line, std::size_t offset) const;
    // Where the key at path (as toml_file.hpp's TomlStatement::path) or its value is written;
    // the nearest enclosing place when it is not (a key missing from its table).
    std::string key_at(std::string_view key_path) const;
    std::string value_at(std::string_view key_path) const;
};

// A table's entry: its key, its value and its path ("site[2].headers[1].set.Cache-Control").
struct Entry {
    std::string key;
    Value value;
    std::string path;
};

// The entries of a table, in the order the file writes them (cpptoml keeps another order);
// prefix is the table's path ("" for the root).
std::vector<Entry> in_file_order(const cpptoml::table& table, const Doc& doc,
                                 const std::string& prefix);

// TOML's names for a value's type, as messages use them ("an integer", "an array of floats").
std::string type_name(const Value& v, bool article = true);

// The option named key, or null.
const Option* find_option(std::string_view key);

// Names that are flags but no keys: actions, and --config itself.
bool command_line_only(std::string_view key);

// An option's value (a key of the top level or of a [[site]]) into out, converted once on a
// scratch Config so that a bad value is reported at its place. name: the key as messages call
// it ("root", "site[2].root"); key_at, value_at: the places of the key and of its value.
Result take_value(const Option& opt, const std::string& name, const Value& v,
                  const std::string& key_at, const std::string& value_at, bool dotted,
                  FileValues& out);

// The tables a site sets (error-pages, [[headers]], [[redirect]], [cors]): whether key is one
// of them, and reading one (entry.path: "headers" at the top level, "site[2].headers" in a
// site) into out.
bool is_table_key(std::string_view key);
Result read_table(const Doc& doc, const Entry& entry, FileTables& out);

// [[site]] tables (toml_sites.cpp), after the top level's keys.
Result read_sites(const Doc& doc, const Entry& entry, std::vector<FileSite>& out);

// The strings of an array of strings, or one string split at commas (as list flags are);
// nothing for another type.
std::optional<std::vector<std::string>> string_list(const Value& v);

}  // namespace config::toml
