// Directory listings for the static handler (autoindex on). Called on the request path, any
// thread; reads the directory with blocking syscalls like the rest of the handler. Not the hot
// path: a listing allocates freely, but every step is linear or n log n in the entry count.
//
// One listing is: list_directory (what the handler would serve), listing_options (the query
// string and Accept), render_listing (sort, then HTML or JSON in one pass). Everything but
// list_directory is pure and thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace http {

struct DirEntry {
    std::string name;
    bool is_dir = false;
    std::uint64_t size = 0;
    std::time_t mtime = 0;
};

// Reads the directory open at `dirfd` (not consumed) whose path beneath the root is
// `rel_dir` (decoded, "" or ending in '/'). Only what the handler would serve is listed:
// regular files and directories, symlinks resolved beneath `root_fd` (a dangling or escaping
// link is left out, never stat()ed outside the root), dotfiles only when `show_hidden`
// (".well-known" always, since the handler always serves it). Returns 0 or an errno value.
int list_directory(int root_fd, std::string_view rel_dir, int dirfd, bool show_hidden,
                   std::vector<DirEntry>& out);

enum class SortKey : std::uint8_t { name, size, date };
enum class ListingFormat : std::uint8_t { html, json };

struct ListingOptions {
    SortKey sort = SortKey::name;
    bool descending = false;
    ListingFormat format = ListingFormat::html;
    // The format came from Accept, not from the query: the response needs "Vary: Accept".
    bool negotiated = true;
};

// From the raw request-target (its query: `sort=name|size|date`, `order=asc|desc`,
// `format=html|json`, values ASCII case-insensitive, the last occurrence wins) and the Accept
// field. Unknown keys and values are ignored, never an error: a listing always renders.
// `format` in the query wins over Accept.
ListingOptions listing_options(std::string_view target, std::string_view accept) noexcept;

// True when Accept (RFC 9110 §12.5.1) ranks application/json above text/html: a higher q, or
// the same q from a more specific range ("application/json, */*" as axios sends). Ties and
// a missing or malformed field give HTML, which browsers expect.
bool accept_prefers_json(std::string_view accept) noexcept;

// "text/html; charset=utf-8" or "application/json" (static storage).
std::string_view listing_content_type(const ListingOptions& opts) noexcept;

// Work done by one render_listing call, for tests that check it stays n log n without timing.
struct ListingStats {
    std::size_t comparisons = 0;    // by the sort
    std::size_t rows = 0;           // entries written
    std::size_t reallocations = 0;  // times the output outgrew its reserved capacity
};

// Sorts `entries` (directories first, then by the key in the requested order; ties by name,
// ascending, so the order is total) and appends the page to `out`. `url_path` is the decoded
// request path, shown HTML-escaped. HTML names are escaped for display and percent-encoded in
// hrefs, so no file name can inject markup, a scheme ("javascript:") or a path separator;
// JSON names are JSON-escaped (invalid UTF-8 bytes become U+FFFD, and "url" carries the exact
// percent-encoded reference).
void render_listing(std::string_view url_path, const ListingOptions& opts,
                    std::vector<DirEntry>& entries, std::string& out,
                    ListingStats* stats = nullptr);

// Appends `s` with & < > " ' replaced by entities.
void append_html_escaped(std::string& out, std::string_view s);

// Appends `s` as the contents of a JSON string (no quotes): '"', '\\' and controls escaped,
// valid UTF-8 kept as is, each byte of an invalid sequence written as \ufffd.
void append_json_escaped(std::string& out, std::string_view s);

// A size as nginx's autoindex_exact_size off shows it, with Apache's one decimal below ten:
// "512", "1.2K", "34M", "1.0G". Units of 1024; rounded half up.
void append_human_size(std::string& out, std::uint64_t bytes);

}  // namespace http
