// The values of the --config file as the option table wants them (toml_read.hpp): types
// named as TOML names them, raw values as a flag gives them, places in the file.
#include <algorithm>
#include <array>
#include <sstream>
#include <tuple>
#include <type_traits>

#include "config/file/toml_read.hpp"

namespace config::toml {
namespace {

constexpr std::array<std::string_view, 5> command_line_keys = {"config", "check-config",
                                                               "list-models", "version", "help"};

// As CLI11 splits a list flag ("a,b"): at each comma, empty items dropped.
std::vector<std::string> split_list(const std::string& text) {
    std::vector<std::string> items;
    std::istringstream in(text);
    for (std::string item; std::getline(in, item, ',');)
        if (!item.empty()) items.push_back(item);
    return items;
}

// The key's value as the raw value a flag would give; or, unset, the types it may have.
std::optional<OptionValue> raw_value(const Option& opt, const Value& v, std::string& expected) {
    OptionValue raw;
    const auto text = v->as<std::string>();
    const auto integer = v->as<std::int64_t>();
    const auto scalar = [&](std::string_view types) -> std::optional<OptionValue> {
        expected = types;
        if (text)
            raw.text = text->get();
        else if (integer)
            raw.text = std::to_string(integer->get());
        else
            return std::nullopt;
        return raw;
    };
    return std::visit(
        [&](auto field) -> std::optional<OptionValue> {
            using T = std::remove_reference_t<decltype(std::declval<Config&>().*field)>;
            if constexpr (std::is_same_v<T, bool>) {
                expected = "true or false";
                const auto b = v->as<bool>();
                if (!b) return std::nullopt;
                raw.flag = b->get();
            } else if constexpr (std::is_same_v<T, std::vector<std::string>>) {
                expected = "an array of strings or a string (\"a,b\")";
                auto items = string_list(v);
                if (!items) return std::nullopt;
                raw.list = std::move(*items);
            } else if constexpr (std::is_same_v<T, std::string>) {
                expected = "a string";
                if (!text) return std::nullopt;
                raw.text = text->get();
            } else if constexpr (std::is_same_v<T, unsigned>) {
                return scalar("an integer or a string");
            } else if constexpr (std::is_same_v<T, std::size_t>) {
                return scalar("an integer (bytes) or a string such as \"16k\"");
            } else {
                static_assert(std::is_same_v<T, std::chrono::milliseconds>);
                return scalar("an integer (seconds) or a string such as \"10s\"");
            }
            return raw;
        },
        opt.field);
}

}  // namespace

std::string Doc::at(std::size_t line, std::size_t offset) const {
    std::string out = "--config '" + path + "'";
    if (line > 0 && line <= layout.lines.size())
        out += " line " + std::to_string(line) + ", column " +
               std::to_string(layout.column(line, offset));
    return out + ": ";
}

std::string Doc::key_at(std::string_view key_path) const {
    const TomlStatement* st = layout.find_path(key_path);
    return st != nullptr ? at(st->line, st->key_offset) : at(0, 0);
}

std::string Doc::value_at(std::string_view key_path) const {
    const TomlStatement* st = layout.find_path(key_path);
    if (st == nullptr) return at(0, 0);
    // A key that is not written itself (missing, or a table made by a header) is placed at
    // what stands for it.
    return at(st->line, st->path == key_path ? st->value_offset : st->key_offset);
}

std::vector<Entry> in_file_order(const cpptoml::table& table, const Doc& doc,
                                 const std::string& prefix) {
    std::vector<std::tuple<std::size_t, std::size_t, Entry>> sorted;
    for (const auto& [key, value] : table) {
        const std::string path = prefix.empty() ? key : prefix + "." + key;
        const TomlStatement* st =
            prefix.empty() ? doc.layout.find(key) : doc.layout.find_path(path);
        sorted.emplace_back(st != nullptr ? st->line : 0, st != nullptr ? st->key_offset : 0,
                            Entry{key, value, path});
    }
    std::stable_sort(sorted.begin(), sorted.end(), [](const auto& a, const auto& b) {
        return std::tie(std::get<0>(a), std::get<1>(a)) < std::tie(std::get<0>(b), std::get<1>(b));
    });
    std::vector<Entry> out;
    for (auto& item : sorted) out.push_back(std::move(std::get<2>(item)));
    return out;
}

std::string type_name(const Value& v, bool article) {
    std::string name = "value";
    if (v->is_table())
        name = "table";
    else if (v->is_table_array())
        name = "array of tables";
    else if (v->is_array()) {
        const auto& items = v->as_array()->get();
        name = items.empty() ? "empty array" : "array of " + type_name(items.front(), false) + "s";
    } else if (v->as<std::string>())
        name = "string";
    else if (v->as<std::int64_t>())
        name = "integer";
    else if (v->as<double>())
        name = "float";
    else if (v->as<bool>())
        name = "boolean";
    else if (v->as<cpptoml::local_date>())
        name = "date";
    else if (v->as<cpptoml::local_time>())
        name = "time";
    else if (v->as<cpptoml::local_datetime>() || v->as<cpptoml::offset_datetime>())
        name = "date-time";
    if (!article) return name;
    return (std::string("aeiou").find(name.front()) != std::string::npos ? "an " : "a ") + name;
}

std::optional<std::vector<std::string>> string_list(const Value& v) {
    if (const auto text = v->as<std::string>()) return split_list(text->get());
    if (!v->is_array()) return std::nullopt;
    auto items = v->as_array()->get_array_of<std::string>();
    if (!items) return std::nullopt;
    return std::move(*items);
}

const Option* find_option(std::string_view key) {
    for (const Option& opt : options())
        if (opt.name == key) return &opt;
    return nullptr;
}

bool command_line_only(std::string_view key) {
    return std::find(command_line_keys.begin(), command_line_keys.end(), key) !=
           command_line_keys.end();
}

Result take_value(const Option& opt, const std::string& name, const Value& v,
                  const std::string& key_at, const std::string& value_at, bool dotted,
                  FileValues& out) {
    std::string expected;
    auto raw = raw_value(opt, v, expected);
    if (!raw)
        // A table made by a header or a dotted key (root.path = 1) is the key's fault.
        return (dotted ? key_at : value_at) + "'" + name + "' must be " + expected + ", not " +
               type_name(v);
    if (!std::holds_alternative<bool Config::*>(opt.field) &&
        !std::holds_alternative<std::vector<std::string> Config::*>(opt.field)) {
        Config scratch;
        if (auto err = convert_value(raw->text, opt, scratch)) {
            // convert_value() names the option as a flag; here it is a key of the file.
            const std::string as_flag = flag(opt) + ": ";
            if (err->starts_with(as_flag)) err->replace(0, as_flag.size(), "'" + name + "': ");
            return value_at + *err;
        }
    }
    raw->place = value_at;
    out[static_cast<std::size_t>(&opt - options().data())] = std::move(*raw);
    return std::nullopt;
}

}  // namespace config::toml
