// Directory listings: reading the directory, and what the request asks of the listing (query
// and Accept). Rendering is in autoindex_render.cpp.
#include "http/static/listing/autoindex.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <memory>

#include "base/open_beneath.hpp"
#include "http/fields/accept_encoding.hpp"
#include "http/fields/text.hpp"
#include "http/proto/target.hpp"

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
        const poly::OpenResult r = poly::open_beneath(root_fd, rel, O_PATH | O_CLOEXEC);
        if (!r.fd || ::fstat(r.fd.get(), &st) != 0) return false;
    }
    if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode)) return false;  // it would be a 403
    e.name = name;
    e.is_dir = S_ISDIR(st.st_mode);
    e.size = e.is_dir ? 0 : static_cast<std::uint64_t>(st.st_size);
    e.mtime = st.st_mtim.tv_sec;
    return true;
}

// How specifically `range` names `type`/`subtype` (given lower case): 3 exactly, 2 by
// "type/*", 1 by "*/*", 0 not at all.
int specificity(std::string_view range, std::string_view type, std::string_view subtype) {
    const std::size_t slash = range.find('/');
    if (slash == std::string_view::npos) return 0;
    const std::string_view t = range.substr(0, slash), s = range.substr(slash + 1);
    if (t == "*" && s == "*") return 1;
    if (!iequals_lower(t, type)) return 0;
    if (s == "*") return 2;
    return iequals_lower(s, subtype) ? 3 : 0;
}

// The most specific range matching a media type, and its weight; a range named twice keeps
// its lower weight, the cautious reading (as for Accept-Encoding).
struct Match {
    int level = 0;
    int q = 0;
    void offer(int l, int weight) noexcept {
        if (l > level) {
            level = l;
            q = weight;
        } else if (l == level && l > 0 && weight < q) {
            q = weight;
        }
    }
};

}  // namespace

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
        // The handler's rule (http/proto/target): listed exactly when it would be served.
        if (!show_hidden && is_hidden_name(name)) continue;
        DirEntry e;
        if (describe(root_fd, rel_dir, dirfd, d->d_name, e)) out.push_back(std::move(e));
        errno = 0;
    }
    return errno;
}

bool accept_prefers_json(std::string_view accept) noexcept {
    Match html, json;
    while (!accept.empty()) {
        const std::size_t comma = accept.find(',');
        const std::string_view entry = accept.substr(0, comma);
        accept = comma == std::string_view::npos ? std::string_view{} : accept.substr(comma + 1);
        const std::size_t semi = entry.find(';');
        const std::string_view range = trim_ows(entry.substr(0, semi));
        const int q = semi == std::string_view::npos ? 1000 : entry_quality(entry.substr(semi + 1));
        html.offer(specificity(range, "text", "html"), q);
        json.offer(specificity(range, "application", "json"), q);
    }
    if (json.q == 0) return false;
    return json.q > html.q || (json.q == html.q && json.level > html.level);
}

ListingOptions listing_options(std::string_view target, std::string_view accept) noexcept {
    ListingOptions o;
    std::string_view query = query_of(target);
    bool format_given = false;
    while (!query.empty()) {
        const std::size_t amp = query.find('&');
        const std::string_view pair = query.substr(0, amp);
        query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
        const std::size_t eq = pair.find('=');
        if (eq == std::string_view::npos) continue;
        const std::string_view key = pair.substr(0, eq), value = pair.substr(eq + 1);
        if (key == "sort") {
            if (iequals_lower(value, "name")) o.sort = SortKey::name;
            if (iequals_lower(value, "size")) o.sort = SortKey::size;
            if (iequals_lower(value, "date")) o.sort = SortKey::date;
        } else if (key == "order") {
            if (iequals_lower(value, "asc")) o.descending = false;
            if (iequals_lower(value, "desc")) o.descending = true;
        } else if (key == "format") {
            if (iequals_lower(value, "html")) o.format = ListingFormat::html;
            if (iequals_lower(value, "json")) o.format = ListingFormat::json;
            format_given =
                format_given || iequals_lower(value, "html") || iequals_lower(value, "json");
        }
    }
    o.negotiated = !format_given;
    if (o.negotiated && accept_prefers_json(accept)) o.format = ListingFormat::json;
    return o;
}

std::string_view listing_content_type(const ListingOptions& opts) noexcept {
    // RFC 8259 defines no charset parameter for JSON: it is UTF-8.
    return opts.format == ListingFormat::json ? "application/json" : "text/html; charset=utf-8";
}

}  // namespace http
