// scan_toml(): the positions cpptoml does not report. It follows strings (one- and multi-line,
// basic and literal), comments and bracket nesting, and records each top-level statement's key
// and value columns. It validates nothing: cpptoml has already judged the text (or is about to).
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "config/file/toml_file.hpp"

namespace config {
namespace {

constexpr auto npos = std::string::npos;

bool is_space(char c) { return c == ' ' || c == '\t'; }

bool is_bare_key_char(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' ||
           c == '_';
}

std::size_t skip_spaces(const std::string& line, std::size_t pos) {
    while (pos < line.size() && is_space(line[pos])) ++pos;
    return pos;
}

// The end of the quoted text opened at pos (one past its closing quote), or npos when the line
// ends first. Basic strings ("...") honour backslash escapes; literal ones ('...') do not.
std::size_t end_of_quoted(const std::string& line, std::size_t pos) {
    const char quote = line[pos];
    for (std::size_t i = pos + 1; i < line.size(); ++i) {
        if (quote == '"' && line[i] == '\\')
            ++i;
        else if (line[i] == quote)
            return i + 1;
    }
    return npos;
}

void append_utf8(std::string& out, unsigned long cp) {
    const auto byte = [&out](unsigned long b) { out.push_back(static_cast<char>(b)); };
    if (cp < 0x80) {
        byte(cp);
    } else if (cp < 0x800) {
        byte(0xC0 | (cp >> 6));
        byte(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        byte(0xE0 | (cp >> 12));
        byte(0x80 | ((cp >> 6) & 0x3F));
        byte(0x80 | (cp & 0x3F));
    } else {
        byte(0xF0 | (cp >> 18));
        byte(0x80 | ((cp >> 12) & 0x3F));
        byte(0x80 | ((cp >> 6) & 0x3F));
        byte(0x80 | (cp & 0x3F));
    }
}

// The value of `n` hex digits at text[at], or -1 when they are not all there.
long hex_at(std::string_view text, std::size_t at, std::size_t n) {
    if (at + n > text.size()) return -1;
    long value = 0;
    for (const char c : text.substr(at, n)) {
        const int digit = c >= '0' && c <= '9'   ? c - '0'
                          : c >= 'a' && c <= 'f' ? c - 'a' + 10
                          : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                                 : -1;
        if (digit < 0) return -1;
        value = value * 16 + digit;
    }
    return value;
}

// A basic string's text ("a\u0000b" as written) as cpptoml reads it, so that a quoted key
// with escapes ("X\r\nY") is found at its place. Runs before cpptoml has judged the text:
// a malformed escape is kept as written, never thrown.
std::string unescape_basic(std::string_view text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char e = i + 1 < text.size() && text[i] == '\\' ? text[i + 1] : '\0';
        char simple = '\0';
        switch (e) {
            case 'b': simple = '\b'; break;
            case 't': simple = '\t'; break;
            case 'n': simple = '\n'; break;
            case 'f': simple = '\f'; break;
            case 'r': simple = '\r'; break;
            case '"': simple = '"'; break;
            case '\\': simple = '\\'; break;
            default: break;
        }
        const std::size_t digits = e == 'u' ? 4 : e == 'U' ? 8 : 0;
        const long cp = digits != 0 ? hex_at(text, i + 2, digits) : -1;
        if (simple != '\0') {
            out.push_back(simple);
            ++i;
        } else if (cp >= 0) {
            append_utf8(out, static_cast<unsigned long>(cp));
            i += 1 + digits;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

std::vector<std::string> split_lines(std::string_view text) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start < text.size()) {
        const std::size_t nl = text.find('\n', start);
        std::string_view line = text.substr(start, nl == npos ? npos : nl - start);
        if (nl != npos && line.ends_with('\r')) line.remove_suffix(1);  // a lone CR is no line end
        lines.emplace_back(line);
        if (nl == npos) break;
        start = nl + 1;
    }
    return lines;
}

class Scanner {
public:
    explicit Scanner(TomlLayout& out) : out_(out) {}

    void run() {
        for (std::size_t i = 0; i < out_.lines.size(); ++i) {
            const bool covered = multi_line_string_ != 0 || !open_.empty();
            out_.owner.push_back(covered ? current_ + 1 : 0);
            scan_line(i + 1, out_.lines[i]);
        }
        if (!open_.empty()) out_.unclosed = open_.front();
        nest_.clear();
    }

private:
    void scan_line(std::size_t line_no, const std::string& line) {
        std::size_t pos = 0;
        if (multi_line_string_ != 0) {
            const std::size_t close = line.find(std::string(3, multi_line_string_));
            if (close == npos) return;
            multi_line_string_ = 0;
            pos = close + 3;
        } else if (open_.empty()) {
            pos = statement(line_no, line);
        }
        if (pos != npos) scan_value(line_no, line, pos);
    }

    // A header or `key =` at the start of a line: recorded; returns where the value starts,
    // or npos when there is no value to follow on this line.
    std::size_t statement(std::size_t line_no, const std::string& line) {
        std::size_t pos = skip_spaces(line, 0);
        if (pos == line.size() || line[pos] == '#') return npos;
        TomlStatement st;
        st.line = line_no;
        st.key_offset = st.value_offset = pos;
        st.header = line[pos] == '[';
        const std::size_t key_start =
            st.header ? skip_spaces(line, std::min(line.find_first_not_of('[', pos), line.size()))
                      : pos;
        std::size_t end = key_start;
        const std::vector<std::string> parts = read_key(line, end);
        st.key = parts.front();
        if (st.header) {
            const std::size_t close = line.find(']', end);
            st.written =
                line.substr(pos, close == npos ? npos : line.find_first_not_of(']', close) - pos);
            st.path = table_ = table_path(parts, line.compare(pos, 2, "[[") == 0);
            record(std::move(st), line_no);
            return npos;
        }
        st.written = line.substr(key_start, end - key_start);
        while (!st.written.empty() && is_space(st.written.back())) st.written.pop_back();
        st.table = table_;
        st.path = value_path_ = joined(table_, parts);
        pos = skip_spaces(line, end);
        if (pos < line.size() && line[pos] == '=') pos = skip_spaces(line, pos + 1);
        st.value_offset = pos;
        record(std::move(st), line_no);
        return pos;
    }

    // The path of the table a header opens: an array of tables numbered by its elements so
    // far, as TOML extends the last element of an array of tables named on the way.
    std::string table_path(const std::vector<std::string>& parts, bool array) {
        std::string path;
        for (std::size_t i = 0; i < parts.size(); ++i) {
            path = joined(path, {parts[i]});
            const auto it = arrays_.find(path);
            std::size_t element = it != arrays_.end() ? it->second : 0;
            if (i + 1 == parts.size() && array) element = ++arrays_[path];
            if (element != 0) {
                path += '[';
                path += std::to_string(element);
                path += ']';
            }
        }
        return path;
    }

    static std::string joined(const std::string& table, const std::vector<std::string>& parts) {
        std::string out = table;
        for (const std::string& part : parts) {
            if (!out.empty()) out += '.';
            out += part;
        }
        return out;
    }

    // A dotted key from pos, which is left after it; returns its components, unquoted.
    static std::vector<std::string> read_key(const std::string& line, std::size_t& pos) {
        std::vector<std::string> parts;
        for (;;) {
            std::size_t end = pos;
            if (pos < line.size() && (line[pos] == '"' || line[pos] == '\'')) {
                end = end_of_quoted(line, pos);
                if (end == npos) end = line.size();
                const std::string quoted = line.substr(pos + 1, end - pos - 2);
                parts.push_back(line[pos] == '"' ? unescape_basic(quoted) : quoted);
            } else {
                while (end < line.size() && is_bare_key_char(line[end])) ++end;
                parts.push_back(line.substr(pos, end - pos));
            }
            pos = skip_spaces(line, end);
            if (pos >= line.size() || line[pos] != '.') return parts;
            pos = skip_spaces(line, pos + 1);
        }
    }

    // A key inside an inline table, at pos: recorded in inline_keys; returns where its value
    // starts.
    std::size_t inline_key(std::size_t line_no, const std::string& line, std::size_t pos) {
        TomlStatement st;
        st.line = line_no;
        st.key_offset = pos;
        std::size_t end = pos;
        const std::vector<std::string> parts = read_key(line, end);
        st.key = parts.front();
        st.written = line.substr(pos, end - pos);
        while (!st.written.empty() && is_space(st.written.back())) st.written.pop_back();
        st.table = nest_.back().path;
        st.path = value_path_ = joined(st.table, parts);
        pos = skip_spaces(line, end);
        if (pos < line.size() && line[pos] == '=') pos = skip_spaces(line, pos + 1);
        st.value_offset = pos;
        out_.inline_keys.push_back(std::move(st));
        return pos;
    }

    void record(TomlStatement st, std::size_t line_no) {
        current_ = out_.statements.size();
        out_.statements.push_back(std::move(st));
        out_.owner[line_no - 1] = current_ + 1;
    }

    void scan_value(std::size_t line_no, const std::string& line, std::size_t pos) {
        while (pos < line.size()) {
            if (expect_key_) {
                pos = skip_spaces(line, pos);
                if (pos == line.size() || line[pos] == '#') return;
                expect_key_ = false;
                if (line[pos] != '}') {
                    pos = inline_key(line_no, line, pos);
                    continue;
                }
            }
            const char c = line[pos];
            if (c == '#') return;
            if (c == '"' || c == '\'') {
                const std::string triple(3, c);
                if (line.compare(pos, 3, triple) == 0) {
                    const std::size_t close = line.find(triple, pos + 3);
                    if (close == npos) {
                        multi_line_string_ = c;
                        return;
                    }
                    pos = close + 3;
                    continue;
                }
                pos = end_of_quoted(line, pos);
                if (pos == npos) return;  // unclosed: cpptoml says so
                continue;
            }
            if (c == '[' || c == '{')
                open(line_no, pos, c == '{');
            else if ((c == ']' || c == '}') && !open_.empty())
                close();
            else if (c == ',' && !nest_.empty() && nest_.back().table)
                expect_key_ = true;
            ++pos;
        }
    }

    // An inline table in an array is that array's next element, numbered as the reader
    // numbers arrays of tables.
    void open(std::size_t line_no, std::size_t pos, bool table) {
        open_.push_back({line_no, pos, current_});
        std::string path = value_path_;
        if (table && !nest_.empty() && !nest_.back().table)
            path = nest_.back().path + "[" + std::to_string(++nest_.back().elements) + "]";
        nest_.push_back({table, std::move(path), 0});
        expect_key_ = table;
    }

    void close() {
        open_.pop_back();
        if (!nest_.empty()) nest_.pop_back();
        expect_key_ = false;
    }

    struct Nest {
        bool table = false;  // an inline table, or an array
        std::string path;    // the path of the key whose value it is
        std::size_t elements = 0;
    };

    TomlLayout& out_;
    std::vector<TomlPosition> open_;             // brackets open at this point, outermost first
    char multi_line_string_ = 0;                 // the quote of an open multi-line string, or 0
    std::size_t current_ = 0;                    // the statement being read
    std::vector<Nest> nest_;                     // like open_, with what the reader calls each
    bool expect_key_ = false;                    // a key of an inline table comes next
    std::string table_;                          // the path of the table the last header opened
    std::string value_path_;                     // the path of the key whose value is being read
    std::map<std::string, std::size_t> arrays_;  // an array of tables' path: its elements
};

}  // namespace

const TomlStatement* TomlLayout::on_line(std::size_t line) const {
    if (line == 0 || line > owner.size() || owner[line - 1] == 0) return nullptr;
    return &statements[owner[line - 1] - 1];
}

const TomlStatement* TomlLayout::find(std::string_view key) const {
    for (const TomlStatement& st : statements)
        if (st.table.empty() && st.key == key) return &st;
    return nullptr;
}

const TomlStatement* TomlLayout::find_path(std::string_view path) const {
    const auto earlier = [](const TomlStatement* a, const TomlStatement& b) {
        return a == nullptr || b.line < a->line ||
               (b.line == a->line && b.key_offset < a->key_offset);
    };
    while (!path.empty()) {
        const TomlStatement* below = nullptr;
        for (const auto* list : {&statements, &inline_keys}) {
            for (const TomlStatement& st : *list) {
                if (st.path == path) return &st;
                if (st.path.size() > path.size() && st.path.starts_with(path) &&
                    (st.path[path.size()] == '.' || st.path[path.size()] == '[') &&
                    earlier(below, st))
                    below = &st;
            }
        }
        if (below != nullptr) return below;
        const std::size_t dot = path.rfind('.');
        path = dot == std::string_view::npos ? std::string_view() : path.substr(0, dot);
    }
    return nullptr;
}

std::size_t TomlLayout::column(std::size_t line, std::size_t offset) const {
    const std::string& text = lines[line - 1];
    std::size_t chars = 0;
    for (std::size_t i = 0; i < offset && i < text.size(); ++i)
        if ((static_cast<unsigned char>(text[i]) & 0xC0U) != 0x80U) ++chars;  // not a UTF-8 tail
    return chars + 1;
}

TomlLayout scan_toml(std::string_view text) {
    TomlLayout layout;
    layout.lines = split_lines(text);
    Scanner(layout).run();
    return layout;
}

}  // namespace config
