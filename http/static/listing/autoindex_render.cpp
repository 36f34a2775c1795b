// Directory listings: sorting and writing the page, HTML or JSON, in one pass over the
// entries. The output is reserved up front from the names' lengths, so a large directory does
// not regrow the page while it is written.
#include <algorithm>
#include <ctime>

#include "base/decimal.hpp"
#include "base/utf8.hpp"
#include "http/proto/target.hpp"
#include "http/static/listing/autoindex.hpp"

namespace http {
namespace {

// Directories first, like Caddy and Apache's FoldersFirst; then the key; ties (same size or
// same second) by name ascending whatever the order, so equal rows never shuffle.
struct EntryLess {
    SortKey key;
    bool descending;
    std::size_t* comparisons;

    bool operator()(const DirEntry& a, const DirEntry& b) const noexcept {
        ++*comparisons;
        if (a.is_dir != b.is_dir) return a.is_dir;
        int c = 0;
        if (key == SortKey::size && a.size != b.size) c = a.size < b.size ? -1 : 1;
        if (key == SortKey::date && a.mtime != b.mtime) c = a.mtime < b.mtime ? -1 : 1;
        if (c != 0) return descending ? c > 0 : c < 0;
        if (key == SortKey::name && descending) return b.name < a.name;
        return a.name < b.name;  // bytewise: no locale, the same order on every host
    }
};

// The characters that could end an attribute value or start markup; empty for the others.
std::string_view html_entity(char c) noexcept {
    switch (c) {
        case '&': return "&amp;";
        case '<': return "&lt;";
        case '>': return "&gt;";
        case '"': return "&quot;";
        case '\'': return "&#39;";
        default: return {};
    }
}

// Appends the time with `format` (strftime); nothing when the year does not fit a struct tm.
void append_time(std::string& out, std::time_t t, const char* format) {
    struct tm tm {};
    char buf[40];
    if (::gmtime_r(&t, &tm) == nullptr) return;
    out.append(buf, std::strftime(buf, sizeof buf, format, &tm));
}

// A column header linking to its sort: ascending first, the other order when it is the
// current sort (marked with an arrow), as Apache's column headers do.
void append_sort_header(std::string& out, const ListingOptions& o, SortKey key,
                        std::string_view label, std::string_view param, bool right) {
    out.append(right ? "<th class=\"s\">" : "<th>");
    const bool current = o.sort == key;
    out.append("<a href=\"?sort=").append(param).append("&amp;order=");
    out.append(current && !o.descending ? "desc" : "asc");
    out.append("\">").append(label).append("</a>");
    if (current) out.append(o.descending ? " &#9660;" : " &#9650;");
    out.append("</th>");
}

void append_html_row(std::string& out, const DirEntry& e) {
    out.append("<tr><td><a href=\"");
    // encode_path escapes everything but unreserved characters (a name holds no '/'), so ':'
    // becomes %3A and "javascript:x" stays a relative reference; '%' and '?' are escaped too.
    append_html_escaped(out, encode_path(e.name));
    if (e.is_dir) out.push_back('/');
    out.append("\">");
    append_html_escaped(out, e.name);
    if (e.is_dir) out.push_back('/');
    if (e.is_dir) {
        out.append("</a></td><td class=\"s\">-</td><td class=\"m\">");
    } else {
        out.append("</a></td><td class=\"s\" title=\"");
        poly::append_decimal(out, e.size);
        out.append(" bytes\">");
        append_human_size(out, e.size);
        out.append("</td><td class=\"m\">");
    }
    append_time(out, e.mtime, "%Y-%m-%d %H:%M");
    out.append("</td></tr>\n");
}

// Sizes right-aligned and times in a monospace column, so both line up like nginx's <pre>
// listing, without its cut-off names.
constexpr std::string_view page_style =
    "<style>body{font-family:sans-serif}table{border-collapse:collapse}"
    "th,td{padding:.1em .75em;text-align:left}th.s,td.s{text-align:right}"
    "td.s,td.m{font-family:monospace;white-space:pre}</style>";

void render_html(std::string_view url_path, const ListingOptions& o,
                 const std::vector<DirEntry>& entries, std::string& out, ListingStats& stats) {
    out.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ");
    append_html_escaped(out, url_path);
    out.append("</title>").append(page_style).append("</head>\n<body><h1>Index of ");
    append_html_escaped(out, url_path);
    out.append("</h1><hr>\n<table>\n<tr>");
    append_sort_header(out, o, SortKey::name, "Name", "name", false);
    append_sort_header(out, o, SortKey::size, "Size", "size", true);
    append_sort_header(out, o, SortKey::date, "Last modified", "date", false);
    out.append("</tr>\n");
    if (url_path != "/")
        out.append("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
    for (const DirEntry& e : entries) {
        const std::size_t cap = out.capacity();
        append_html_row(out, e);
        stats.reallocations += out.capacity() != cap ? 1 : 0;
        ++stats.rows;
    }
    out.append("</table><hr></body></html>\n");
}

// The shape of nginx's autoindex_format json (name, type, mtime; size for files only: a
// directory's size says nothing), with RFC 3339 times and a "url" that is always exact.
void append_json_row(std::string& out, const DirEntry& e) {
    out.append("{\"name\":\"");
    append_json_escaped(out, e.name);
    out.append(e.is_dir ? "\",\"type\":\"directory\"" : "\",\"type\":\"file\",\"size\":");
    if (!e.is_dir) poly::append_decimal(out, e.size);
    out.append(",\"mtime\":\"");
    append_time(out, e.mtime, "%Y-%m-%dT%H:%M:%SZ");
    out.append("\",\"url\":\"");
    out.append(encode_path(e.name));  // ASCII only: nothing to escape
    if (e.is_dir) out.push_back('/');
    out.append("\"}");
}

void render_json(const std::vector<DirEntry>& entries, std::string& out, ListingStats& stats) {
    out.push_back('[');
    for (const DirEntry& e : entries) {
        const std::size_t cap = out.capacity();
        out.append(stats.rows == 0 ? "\n" : ",\n");
        append_json_row(out, e);
        stats.reallocations += out.capacity() != cap ? 1 : 0;
        ++stats.rows;
    }
    out.append("\n]\n");
}

}  // namespace

void append_html_escaped(std::string& out, std::string_view s) {
    for (const char c : s) {
        if (const std::string_view e = html_entity(c); !e.empty())
            out.append(e);
        else
            out.push_back(c);
    }
}

void append_json_escaped(std::string& out, std::string_view s) {
    static constexpr char hex[] = "0123456789abcdef";
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        if (c >= 0x80) {
            const std::size_t n = poly::utf8_length(s.substr(i));
            // A file name is bytes: an invalid one cannot be a JSON string, so mark where the
            // bytes were and let "url" carry them exactly. Not the access log's \u00XX: a
            // client would read \u00FF as "ÿ" and ask for a name that does not exist.
            out.append(n == 0 ? std::string_view("\\ufffd") : s.substr(i, n));
            i += n == 0 ? 1 : n;
            continue;
        }
        if (c == '"' || c == '\\') {
            out.push_back('\\');
            out.push_back(static_cast<char>(c));
        } else if (c < 0x20) {
            out.append("\\u00");
            out.push_back(hex[c >> 4]);
            out.push_back(hex[c & 0x0f]);
        } else {
            out.push_back(static_cast<char>(c));
        }
        ++i;
    }
}

void append_human_size(std::string& out, std::uint64_t bytes) {
    if (bytes < 1024) {
        poly::append_decimal(out, bytes);
        return;
    }
    static constexpr char units[] = "KMGTPE";
    std::size_t k = 0;
    std::uint64_t unit = 1024;
    while (k + 1 < sizeof units - 1 && bytes / unit >= 1024) unit <<= 10, ++k;
    for (;;) {
        const std::uint64_t q = bytes / unit, r = bytes % unit;  // r * 10 fits: unit <= 2^60
        const std::uint64_t tenths = q * 10 + (r * 10 + unit / 2) / unit;
        if (tenths < 100) {  // below ten: one decimal, "1.2K"
            poly::append_decimal(out, tenths / 10);
            out.push_back('.');
            poly::append_decimal(out, tenths % 10);
            out.push_back(units[k]);
            return;
        }
        const std::uint64_t whole = q + (r >= unit / 2 ? 1 : 0);
        if (whole < 1024 || k + 1 == sizeof units - 1) {
            poly::append_decimal(out, whole);
            out.push_back(units[k]);
            return;
        }
        unit <<= 10, ++k;  // 1023.6K is shown as 1.0M
    }
}

void render_listing(std::string_view url_path, const ListingOptions& opts,
                    std::vector<DirEntry>& entries, std::string& out, ListingStats* stats) {
    ListingStats local;
    ListingStats& s = stats != nullptr ? *stats : local;
    std::sort(entries.begin(), entries.end(),
              EntryLess{opts.sort, opts.descending, &s.comparisons});
    // An estimate of the page: a name appears two or three times (plus escapes), and a row's markup
    // is about 150 bytes. A name full of escapes may regrow it once or twice; never per row.
    std::size_t estimate = 1024;
    for (const DirEntry& e : entries) estimate += 3 * e.name.size() + 160;
    out.reserve(out.size() + estimate);
    if (opts.format == ListingFormat::json)
        render_json(entries, out, s);
    else
        render_html(url_path, opts, entries, out, s);
}

}  // namespace http
