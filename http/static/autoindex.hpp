// Directory listings for the static handler (autoindex on). Called on the request path, any
// thread; reads the directory with blocking syscalls like the rest of the handler. Not the hot
// path: a listing allocates freely.
#pragma once

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
// link is left out, never stat()ed outside the root), dotfiles only when `show_hidden`.
// Returns 0 or an errno value.
int list_directory(int root_fd, std::string_view rel_dir, int dirfd, bool show_hidden,
                   std::vector<DirEntry>& out);

// Sorts `entries` (directories first, then by name, bytewise) and appends an HTML page to
// `out`. `url_path` is the decoded request path (shown in the title, HTML-escaped). Names are
// HTML-escaped for display and percent-encoded in hrefs, so no file name can inject markup,
// a scheme ("javascript:") or a path separator.
void render_autoindex(std::string_view url_path, std::vector<DirEntry>& entries, std::string& out);

// Appends `s` with & < > " ' replaced by entities.
void append_html_escaped(std::string& out, std::string_view s);

}  // namespace http
