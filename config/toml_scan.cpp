// scan_toml(): the positions cpptoml does not report. It follows strings (one- and multi-line,
// basic and literal), comments and bracket nesting, and records each top-level statement's key
// and value columns. It validates nothing: cpptoml has already judged the text (or is about to).
#include <algorithm>
#include <string>

#include "config/toml_file.hpp"

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
        st.key = read_key(line, end);
        if (st.header) {
            const std::size_t close = line.find(']', end);
            st.written =
                line.substr(pos, close == npos ? npos : line.find_first_not_of(']', close) - pos);
            record(std::move(st), line_no);
            return npos;
        }
        st.written = line.substr(key_start, end - key_start);
        while (!st.written.empty() && is_space(st.written.back())) st.written.pop_back();
        pos = skip_spaces(line, end);
        if (pos < line.size() && line[pos] == '=') pos = skip_spaces(line, pos + 1);
        st.value_offset = pos;
        record(std::move(st), line_no);
        return pos;
    }

    // A dotted key from pos, which is left after it; returns its first component, unquoted.
    static std::string read_key(const std::string& line, std::size_t& pos) {
        std::string first;
        for (bool first_part = true;; first_part = false) {
            std::size_t end = pos;
            std::string part;
            if (pos < line.size() && (line[pos] == '"' || line[pos] == '\'')) {
                end = end_of_quoted(line, pos);
                if (end == npos) end = line.size();
                part = line.substr(pos + 1, end - pos - 2);
            } else {
                while (end < line.size() && is_bare_key_char(line[end])) ++end;
                part = line.substr(pos, end - pos);
            }
            if (first_part) first = part;
            pos = skip_spaces(line, end);
            if (pos >= line.size() || line[pos] != '.') return first;
            pos = skip_spaces(line, pos + 1);
        }
    }

    void record(TomlStatement st, std::size_t line_no) {
        current_ = out_.statements.size();
        out_.statements.push_back(std::move(st));
        out_.owner[line_no - 1] = current_ + 1;
    }

    void scan_value(std::size_t line_no, const std::string& line, std::size_t pos) {
        while (pos < line.size()) {
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
                open_.push_back({line_no, pos, current_});
            else if ((c == ']' || c == '}') && !open_.empty())
                open_.pop_back();
            ++pos;
        }
    }

    TomlLayout& out_;
    std::vector<TomlPosition> open_;  // brackets open at this point, outermost first
    char multi_line_string_ = 0;      // the quote of an open multi-line string, or 0
    std::size_t current_ = 0;         // the statement being read
};

}  // namespace

const TomlStatement* TomlLayout::on_line(std::size_t line) const {
    if (line == 0 || line > owner.size() || owner[line - 1] == 0) return nullptr;
    return &statements[owner[line - 1] - 1];
}

const TomlStatement* TomlLayout::find(std::string_view key) const {
    for (const TomlStatement& st : statements)
        if (st.key == key) return &st;
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
