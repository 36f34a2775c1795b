#include "http/static/autoindex.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <memory>

#include "base/decimal.hpp"
#include "http/proto/target.hpp"
#include "http/static/open_beneath.hpp"

namespace http {
namespace {

struct DirCloser {
    void operator()(DIR* d) const noexcept { ::closedir(d); }
};

// Fills `e` from what the entry really is, beneath the root. False: leave it out.
bool describe(int root_fd, std::string_view rel_dir, int dirfd, const char* name, DirEntry& e) {
    struct stat st {};
    if (::fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0) return false;
    if (S_ISLNK(st.st_mode)) {
        // Resolve the link the way a request for it would: beneath the root only, so a link
        // to /etc is neither listed nor has its target's size and mtime disclosed.
        std::string rel(rel_dir);
        rel.append(name);
        const OpenResult r = open_beneath(root_fd, rel, O_PATH | O_CLOEXEC);
        if (!r.fd || ::fstat(r.fd.get(), &st) != 0) return false;
    }
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) return false;  // it would be a 403
    e.name = name;
    e.is_dir = S_ISDIR(st.st_mode);
    e.size = e.is_dir ? 0 : static_cast<std::uint64_t>(st.st_size);
    e.mtime = st.st_mtim.tv_sec;
    return true;
}

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

void append_row(std::string& out, const DirEntry& e) {
    out.append("<tr><td><a href=\"");
    // encode_path escapes everything but unreserved characters (a name holds no '/'), so ':'
    // becomes %3A and "javascript:x" stays a relative reference.
    append_html_escaped(out, encode_path(e.name));
    if (e.is_dir) out.push_back('/');
    out.append("\">");
    append_html_escaped(out, e.name);
    if (e.is_dir) out.push_back('/');
    out.append("</a></td><td>");
    if (e.is_dir) {
        out.push_back('-');
    } else {
        poly::append_decimal(out, e.size);
    }
    out.append("</td><td>");
    struct tm tm {};
    char date[32];
    if (::gmtime_r(&e.mtime, &tm) != nullptr) {
        const std::size_t n = std::strftime(date, sizeof date, "%Y-%m-%d %H:%M", &tm);
        out.append(date, n);
    }
    out.append("</td></tr>\n");
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

int list_directory(int root_fd, std::string_view rel_dir, int dirfd, bool show_hidden,
                   std::vector<DirEntry>& out) {
    // A fresh open file description: readdir moves the offset, and dirfd is the caller's.
    const int fd = ::openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return errno;
    std::unique_ptr<DIR, DirCloser> dir(::fdopendir(fd));
    if (!dir) {
        const int e = errno;
        ::close(fd);
        return e;
    }
    errno = 0;
    while (const dirent* d = ::readdir(dir.get())) {
        const std::string_view name = d->d_name;
        if (name == "." || name == "..") continue;
        if (name.front() == '.' && !show_hidden) continue;
        DirEntry e;
        if (describe(root_fd, rel_dir, dirfd, d->d_name, e)) out.push_back(std::move(e));
        errno = 0;
    }
    return errno;
}

void render_autoindex(std::string_view url_path, std::vector<DirEntry>& entries, std::string& out) {
    std::sort(entries.begin(), entries.end(), [](const DirEntry& a, const DirEntry& b) {
        if (a.is_dir != b.is_dir) return a.is_dir;
        return a.name < b.name;
    });
    out.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Index of ");
    append_html_escaped(out, url_path);
    out.append("</title></head>\n<body><h1>Index of ");
    append_html_escaped(out, url_path);
    out.append("</h1><hr>\n<table>\n<tr><th>Name</th><th>Size</th><th>Last modified</th></tr>\n");
    if (url_path != "/")
        out.append("<tr><td><a href=\"../\">../</a></td><td></td><td></td></tr>\n");
    for (const DirEntry& e : entries) append_row(out, e);
    out.append("</table><hr></body></html>\n");
}

}  // namespace http
