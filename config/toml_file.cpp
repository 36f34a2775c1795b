// read_config_file(): cpptoml parses, the option table decides what each key may hold, and
// scan_toml() supplies the columns. Keys are handled in the order they appear in the file, so
// the first problem reported is the first one a reader meets.
#include "config/toml_file.hpp"

#include <cpptoml.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <memory>
#include <sstream>
#include <system_error>
#include <tuple>
#include <type_traits>

#include "base/syscall.hpp"
#include "base/unique_fd.hpp"
#include "config/options.hpp"

namespace config {
namespace {

using Result = std::optional<std::string>;
using Value = std::shared_ptr<cpptoml::base>;

// Names that are flags but no keys: actions, and --config itself.
constexpr std::array<std::string_view, 5> command_line_only = {"config", "check-config",
                                                               "list-models", "version", "help"};

std::string at(const std::string& path, const TomlLayout& layout, std::size_t line,
               std::size_t offset) {
    std::string out = "--config '" + path + "'";
    if (line > 0 && line <= layout.lines.size())
        out += " line " + std::to_string(line) + ", column " +
               std::to_string(layout.column(line, offset));
    return out + ": ";
}

std::string errno_text(int err) { return std::generic_category().message(err); }

Result read_text(const std::string& path, std::string& text) {
    const std::string file = "--config '" + path + "': ";
    const poly::UniqueFd fd(
        poly::retry_eintr([&] { return ::open(path.c_str(), O_RDONLY | O_CLOEXEC); }));
    if (!fd) return file + "cannot read the file: " + errno_text(errno);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0) return file + "cannot read the file: " + errno_text(errno);
    if (S_ISDIR(st.st_mode)) return file + "is a directory, not a file";
    std::array<char, 8192> buf{};
    for (;;) {
        const ssize_t n =
            poly::retry_eintr([&] { return ::read(fd.get(), buf.data(), buf.size()); });
        if (n < 0) return file + "cannot read the file: " + errno_text(errno);
        if (n == 0) return std::nullopt;
        text.append(buf.data(), static_cast<std::size_t>(n));
    }
}

// TOML's names for a value's type, as messages use them ("an integer", "an array of floats").
std::string type_name(const Value& v, bool article = true) {
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
                const auto items = v->is_array() ? v->as_array()->get_array_of<std::string>()
                                                 : cpptoml::option<std::vector<std::string>>();
                if (text)
                    raw.list = split_list(text->get());
                else if (items)
                    raw.list = *items;
                else
                    return std::nullopt;
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

const Option* find_option(std::string_view key) {
    for (const Option& opt : options())
        if (opt.name == key) return &opt;
    return nullptr;
}

// One top-level key of the file into out, or the problem with it.
Result take(const std::string& key, const Value& v, const TomlStatement* st,
            const std::string& path, const TomlLayout& layout, FileValues& out) {
    const std::size_t line = st != nullptr ? st->line : 0;
    const std::string key_at = at(path, layout, line, st != nullptr ? st->key_offset : 0);
    const std::string value_at = at(path, layout, line, st != nullptr ? st->value_offset : 0);
    const std::string written = st != nullptr ? st->written : key;
    if (std::find(command_line_only.begin(), command_line_only.end(), key) !=
        command_line_only.end())
        return key_at + "'" + key + "' is allowed only on the command line";
    const Option* opt = find_option(key);
    if (opt == nullptr && st != nullptr && st->header)
        return key_at + "unknown section '" + written + "' (keys go at the top level)";
    if (opt == nullptr) return key_at + "unknown key '" + written + "'";
    std::string expected;
    auto raw = raw_value(*opt, v, expected);
    if (!raw)
        // A table made by a header or a dotted key (root.path = 1) is the key's fault.
        return (st != nullptr && (st->header || st->written.find('.') != std::string::npos)
                    ? key_at
                    : value_at) +
               "'" + key + "' must be " + expected + ", not " + type_name(v);
    if (!std::holds_alternative<bool Config::*>(opt->field) &&
        !std::holds_alternative<std::vector<std::string> Config::*>(opt->field)) {
        Config scratch;
        if (auto err = convert_value(raw->text, *opt, scratch)) {
            // convert_value() names the option as a flag; here it is a key of the file.
            const std::string as_flag = flag(*opt) + ": ";
            if (err->starts_with(as_flag)) err->replace(0, as_flag.size(), "'" + key + "': ");
            return value_at + *err;
        }
    }
    raw->place = value_at;
    out[static_cast<std::size_t>(opt - options().data())] = std::move(*raw);
    return std::nullopt;
}

std::string lower_first(std::string text) {
    if (!text.empty() && text[0] >= 'A' && text[0] <= 'Z')
        text[0] = static_cast<char>(text[0] - 'A' + 'a');
    return text;
}

std::string show_char(char c) {
    if (static_cast<unsigned char>(c) >= 0x20 && c != 0x7F) return std::string("'") + c + "'";
    constexpr std::string_view hex = "0123456789ABCDEF";
    const auto byte = static_cast<unsigned char>(c);
    return std::string("byte 0x") + hex[byte >> 4U] + hex[byte & 0xFU];
}

// Where the character c that follows a value is: past a quoted value, so that the same
// character inside the string is not taken for it.
std::size_t find_after_value(const std::string& text, std::size_t from, char c) {
    std::size_t i = from;
    if (i < text.size() && (text[i] == '"' || text[i] == '\'')) {
        const std::size_t close = text.find(text[i], i + 1);
        if (close != std::string::npos) i = close + 1;
    }
    const std::size_t found = text.find(c, i);
    return found != std::string::npos ? found : from;
}

std::string unclosed(const std::string& path, const TomlLayout& layout) {
    const TomlPosition& u = *layout.unclosed;
    const bool table = layout.lines[u.line - 1][u.offset] == '{';
    std::string out =
        at(path, layout, u.line, u.offset) + (table ? "unclosed inline table" : "unclosed array");
    if (u.statement < layout.statements.size())
        out += " ('" + layout.statements[u.statement].written + "')";
    return out;
}

// cpptoml's "<what> at line N" as our one line: its column found in the text, its wording
// made plainer for the mistakes people make (a missing quote, yes for true).
std::string describe_syntax_error(const std::string& path, const TomlLayout& layout,
                                  std::string message) {
    constexpr std::string_view at_line = " at line ",
                               trailing = "Unidentified trailing character '";
    std::size_t line = 0;
    if (const auto p = message.rfind(at_line); p != std::string::npos) {
        line = std::strtoul(message.c_str() + p + at_line.size(), nullptr, 10);
        message.resize(p);
    }
    // cpptoml notices an unclosed array where it runs out of lines, or at the next key.
    if (layout.unclosed && (line == 0 || layout.unclosed->line < line))
        return unclosed(path, layout);
    line = std::min(line, layout.lines.size());  // it counts one past the end at the end
    if (line == 0) return at(path, layout, 0, 0) + lower_first(message);
    const std::string& text = layout.lines[line - 1];
    const TomlStatement* st = layout.on_line(line);
    const bool starts_here = st != nullptr && st->line == line;
    std::size_t offset = starts_here ? st->value_offset : text.find_first_not_of(" \t");
    std::string says = lower_first(message);
    if (message.starts_with("Key ") && message.ends_with(" already present")) {
        says = "duplicate key";
        if (starts_here) offset = st->key_offset;
    } else if (message.starts_with(trailing) && message.size() > trailing.size()) {
        const char c = message[trailing.size()];
        says = "unexpected " + show_char(c) + " after the value (a comment starts with #)";
        offset = find_after_value(text, offset, c);
    } else if (message.starts_with("Unterminated string") ||
               message.starts_with("Unterminated multi-line")) {
        says = "unclosed string";
    } else if (message == "Unclosed array" || message == "Unterminated array") {
        says = "unclosed array";
    } else if (message == "Unterminated inline table") {
        says = "unclosed inline table";
    } else if (message.starts_with("Failed to parse value")) {
        says = "not a TOML value (text needs quotes: \"...\"; flags are true or false)";
    }
    return at(path, layout, line, offset) + says +
           (st != nullptr ? " ('" + st->written + "')" : "");
}

}  // namespace

std::optional<std::string> read_config_file(const std::string& path, FileValues& out) {
    out.assign(options().size(), std::nullopt);
    std::string text;
    if (auto err = read_text(path, text)) return err;
    // A UTF-8 byte order mark (as some Windows editors write) is not part of the first key.
    if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
    const TomlLayout layout = scan_toml(text);
    std::shared_ptr<cpptoml::table> root;
    try {
        std::istringstream in(text);
        root = cpptoml::parser(in).parse();
    } catch (const cpptoml::parse_exception& e) {
        return describe_syntax_error(path, layout, e.what());
    } catch (const std::exception& e) {
        return "--config '" + path + "': " + e.what();
    }
    if (layout.unclosed) return describe_syntax_error(path, layout, "Unclosed array");
    std::vector<std::tuple<std::size_t, std::string, Value, const TomlStatement*>> keys;
    for (const auto& [key, value] : *root) {
        const TomlStatement* st = layout.find(key);
        keys.emplace_back(st != nullptr ? st->line : 0, key, value, st);
    }
    std::sort(keys.begin(), keys.end(),
              [](const auto& a, const auto& b) { return std::get<0>(a) < std::get<0>(b); });
    for (const auto& [line, key, value, st] : keys)
        if (auto err = take(key, value, st, path, layout, out)) return err;
    return std::nullopt;
}

}  // namespace config
