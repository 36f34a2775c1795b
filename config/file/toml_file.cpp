// read_config_file(): cpptoml parses, the option table decides what each key may hold, and
// scan_toml() supplies the columns. Keys are handled in the order they appear in the file, so
// the first problem reported is the first one a reader meets.
#include "config/file/toml_file.hpp"

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
#include "config/file/toml_read.hpp"
#include "config/site_rules.hpp"

namespace config {
namespace {

using namespace toml;

std::string at(const std::string& path, const TomlLayout& layout, std::size_t line,
               std::size_t offset) {
    return Doc{path, layout}.at(line, offset);
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

// One top-level key of the file: an option into out.values, a table into out.tables, the
// [[site]] tables into out.sites; or the problem with it.
Result take(const Doc& doc, const Entry& entry, FileContents& out) {
    const std::string& key = entry.key;
    const TomlStatement* st = doc.layout.find(key);
    const std::size_t line = st != nullptr ? st->line : 0;
    const std::string key_at = doc.at(line, st != nullptr ? st->key_offset : 0);
    const std::string value_at = doc.at(line, st != nullptr ? st->value_offset : 0);
    const std::string written = st != nullptr ? st->written : key;
    if (command_line_only(key)) return key_at + "'" + key + "' is allowed only on the command line";
    if (key == "site") return read_sites(doc, entry, out.sites);
    if (is_table_key(key)) return read_table(doc, entry, out.tables);
    const Option* opt = find_option(key);
    if (opt == nullptr && st != nullptr && st->header)
        return key_at + "unknown section '" + written + "' (keys go at the top level)";
    if (opt == nullptr) return key_at + "unknown key '" + written + "'";
    const bool dotted = st != nullptr && (st->header || st->written.find('.') != std::string::npos);
    return take_value(*opt, key, entry.value, key_at, value_at, dotted, out.values);
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

std::optional<std::string> read_config_file(const std::string& path, FileContents& out) {
    out = FileContents{};
    out.values.assign(options().size(), std::nullopt);
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
    const Doc doc{path, layout};
    // In the file's order, so that the first problem reported is the first a reader meets.
    // A key may hold any byte ("X\r\nY" = ...): escaped here, the message is one line.
    for (const Entry& entry : in_file_order(*root, doc, ""))
        if (auto err = take(doc, entry, out)) return rules::escaped(*err);
    return std::nullopt;
}

void FileTables::apply(Config& cfg) const {
    if (error_pages) cfg.error_pages = *error_pages;
    if (headers) cfg.headers = *headers;
    if (redirects) cfg.redirects = *redirects;
    if (cors) cfg.cors = *cors;
}

}  // namespace config
