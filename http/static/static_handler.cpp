// The static-file handler. Safety rests on three rules: the target is decoded and normalised
// before anything else (target.hpp); every open goes through open_beneath, so no symlink or
// ".." can leave the root; and the type of a file is taken from fstat on the fd that will be
// served, never from a separate stat, so a file swapped between check and use is still the
// file that was checked. Hot-path allocation: none beyond decode_target's path string and the
// Response's reused strings; sibling names are built in stack buffers.
#include "http/static/static_handler.hpp"

#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <system_error>

#include "base/decimal.hpp"
#include "base/open_beneath.hpp"
#include "http/fields/accept_encoding.hpp"
#include "http/fields/conditional.hpp"
#include "http/fields/range.hpp"
#include "http/proto/target.hpp"
#include "http/static/compressed_body.hpp"
#include "http/static/file_cache.hpp"
#include "http/static/listing/autoindex.hpp"
#include "http/static/on_the_fly.hpp"
#include "http/static/range_body.hpp"
#include "http/static/representation.hpp"

namespace http {
namespace {

// O_NONBLOCK: opening a fifo must not wait for a writer (its type is checked only after
// the open). It changes nothing for regular-file reads or sendfile. O_NOCTTY: a tty device in
// the root must never become our controlling terminal.
constexpr int file_open_flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

struct Ctx {
    const StaticConfig& cfg;
    int root;
    const MimeTypes& mime;
    FileCache& cache;
    VariantCache& variants;
    AcceptedCodings codings;
};

unsigned codings_bits(const AcceptedCodings& c) noexcept {
    return (c.br ? 1u : 0u) | (c.gzip ? 2u : 0u);
}

int status_for_errno(int e) noexcept {
    switch (e) {
        case ENOENT:
        case ENOTDIR:
        case ELOOP:  // a symlink loop, or a magic link refused
        case EXDEV:  // an escape attempt: say nothing more than "not here"
        case ENAMETOOLONG: return 404;
        case EACCES:
        case EPERM:
        case ENXIO:  // a socket or a device without a driver: special files are refused
        case ENODEV: return 403;
        case EMFILE:  // out of descriptors or memory: temporary, unlike a broken file (500)
        case ENFILE:
        case ENOMEM: return 503;
        default: return 500;
    }
}

// Joins into a stack buffer; false when the result would not fit (then the name cannot
// exist: it would exceed PATH_MAX).
bool join(char (&buf)[PATH_MAX], std::size_t& len, std::string_view a,
          std::string_view b) noexcept {
    if (a.size() + b.size() >= sizeof buf) return false;
    std::memcpy(buf, a.data(), a.size());
    std::memcpy(buf + a.size(), b.data(), b.size());
    len = a.size() + b.size();
    return true;
}

// Opens path+suffix beneath the root; true only for a regular file.
bool open_sibling(const Ctx& ctx, std::string_view path, std::string_view suffix,
                  Representation& out) {
    char buf[PATH_MAX];
    std::size_t len = 0;
    if (!join(buf, len, path, suffix)) return false;
    poly::OpenResult r = poly::open_beneath(ctx.root, {buf, len}, file_open_flags);
    struct stat st {};
    if (!r.fd || ::fstat(r.fd.get(), &st) != 0 || !S_ISREG(st.st_mode)) return false;
    out.fd = std::move(r.fd);
    out.st = st;
    return true;
}

// Picks br, then gzip, when accepted and present. Vary is set whenever a sibling exists, even
// if not chosen: a cache must not hand the identity response to a client that accepts br.
void choose_representation(const Ctx& ctx, std::string_view path, Representation& rep, bool& vary) {
    const AcceptedCodings& ok = ctx.codings;
    Representation sib;
    if (open_sibling(ctx, path, ".br", sib)) {
        vary = true;
        if (ok.br) {
            sib.encoding = "br";
            rep = std::move(sib);
            return;
        }
    }
    if (!ok.gzip && vary) return;  // the gzip probe could change nothing
    if (open_sibling(ctx, path, ".gz", sib)) {
        vary = true;
        if (ok.gzip) {
            sib.encoding = "gzip";
            rep = std::move(sib);
        }
    }
}

// After validators are known: 412, 416 and error bodies keep Vary, which still describes
// how the response was chosen.
void error_keeping_vary(Response& res, int status) {
    const bool vary = res.vary_accept_encoding;
    make_error(res, status);
    res.vary_accept_encoding = vary;
}

// Status, Range and body for a representation that passed its preconditions.
void send_body(const Ctx& ctx, const Request& req, Response& res, Representation& rep,
               std::string_view type, const Validators& v) {
    const auto size = static_cast<std::uint64_t>(rep.st.st_size);
    if (!req.range.empty() && if_range_allows(req.if_range, v)) {
        const RangeResult rr = evaluate_range(req.range, size, ctx.cfg.max_ranges);
        if (rr.outcome == RangeOutcome::unsatisfiable) {
            error_keeping_vary(res, 416);
            res.accept_ranges = true;
            res.content_range.assign("bytes */");
            poly::append_decimal(res.content_range, size);
            return;
        }
        if (rr.outcome == RangeOutcome::partial) {
            res.status = 206;
            hand_over(rep, res);
            if (rr.ranges.size() == 1) {
                res.content_range.clear();
                append_content_range(res.content_range, rr.ranges.front(), size);
                res.add_file_range(rr.ranges.front().first, rr.ranges.front().length());
            } else {
                set_multipart_body(res, rr.ranges, size, type);
            }
            return;
        }
    }
    res.status = 200;
    hand_over(rep, res);
    res.add_file_range(0, size);  // nothing for an empty file
}

// Keeps the representation for the next requests (see file_cache.hpp): a small one in memory,
// which this response then sends too, a larger one as an open descriptor.
void remember(const Ctx& ctx, std::string_view path, Representation& rep, bool vary) {
    if (ctx.cache.max_file_size() == 0) return;  // caching off
    const bool small = static_cast<std::size_t>(rep.st.st_size) <= ctx.cache.max_file_size();
    auto entry =
        small ? read_cached_file(rep.fd.get(), rep.st) : open_cached_file(rep.fd.get(), rep.st);
    if (!entry) return;  // changed under us, or out of descriptors: cache nothing this time
    entry->encoding = rep.encoding;
    entry->vary = vary;
    if (small) rep.cached = entry;
    ctx.cache.insert(path, codings_bits(ctx.codings), std::move(entry));
}

// Swaps the identity representation for its variant, cached or compressed now. On failure
// `rep` is unchanged and the file goes out as it is.
bool use_variant(const Ctx& ctx, Representation& rep, Coding c) {
    std::shared_ptr<const CachedFile> v =
        ctx.variants.find_or_compress(fd_of(rep), rep.cached.get(), rep.st, c);
    if (!v) return false;
    rep.st.st_size = static_cast<off_t>(v->body.size());  // Content-Length, Range: the variant's
    rep.encoding = v->encoding;
    rep.cached = std::move(v);
    rep.fd.reset();
    rep.kept.reset();
    return true;
}

// The validators, preconditions and body of a chosen representation, from disk, memory or
// compressed while sent. A variant's ETag is the file's with the coding appended: strong,
// distinct per coding, the same streamed or cached (compressed_body.hpp), and known without
// compressing anything, so a 304 costs no compression.
void serve_representation(const Ctx& ctx, const Request& req, Response& res, std::string_view path,
                          Representation& rep) {
    const std::string_view type = ctx.mime.content_type(last_segment(path));
    const auto size = static_cast<std::uint64_t>(rep.st.st_size);
    const OnTheFly otf = rep.encoding.empty() ? on_the_fly(ctx.cfg, ctx.variants.max_entry_size(),
                                                           req, type, size, rep.cached != nullptr)
                                              : OnTheFly{};  // a sibling chosen is not compressed
    res.vary_accept_encoding = res.vary_accept_encoding || otf.vary;
    if (otf.stream) rep.encoding = coding_name(otf.coding);
    const FileIdentity id = FileIdentity::of(rep.st);
    res.etag = ETag::from_file(id.ino, id.size, id.mtime_ns);
    if (otf.stream || (otf.coding != Coding::identity && use_variant(ctx, rep, otf.coding)))
        res.etag = res.etag.with_suffix(rep.encoding);
    res.last_modified = rep.st.st_mtim.tv_sec;
    const Validators v{res.etag.view(), res.last_modified};
    const Conditions c{req.if_match, req.if_none_match, req.if_modified_since,
                       req.if_unmodified_since};
    switch (evaluate_preconditions(c, v)) {
        case Precondition::failed: error_keeping_vary(res, 412); return;
        case Precondition::not_modified:
            res.status = 304;  // validators and Vary only: no representation metadata, no body
            return;
        case Precondition::proceed: break;
    }
    res.content_type = type;
    res.content_encoding = rep.encoding;
    res.accept_ranges = true;  // a Range request gets the identity file, never a stream
    if (!otf.stream) {
        send_body(ctx, req, res, rep, type, v);
        return;
    }
    // A stream keeps reading after the cache may have dropped the entry: it owns a duplicate.
    if (rep.kept) rep.fd.reset(::fcntl(fd_of(rep), F_DUPFD_CLOEXEC, 0));
    if (!rep.fd) {
        error_keeping_vary(res, 503);  // out of descriptors
        return;
    }
    res.status = 200;
    res.stream = make_compressed_body(std::move(rep.fd), rep.st, otf.coding);
}

// `path` names the file as requested (its type comes from this name even when a
// precompressed sibling is sent).
void serve_file(const Ctx& ctx, const Request& req, Response& res, std::string_view path,
                poly::UniqueFd fd, const struct stat& st) {
    Representation rep{std::move(fd), st, {}, {}, {}};
    if (ctx.cfg.precompressed) choose_representation(ctx, path, rep, res.vary_accept_encoding);
    remember(ctx, path, rep, res.vary_accept_encoding);
    serve_representation(ctx, req, res, path, rep);
}

// A precompressed file without its original ("app.js.gz" and no "app.js"): sent to clients
// that accept its coding and 404 to the others, as nginx's gzip_static and Caddy's
// precompressed do. The 404 carries Vary: another client would get the file.
void serve_sibling_only(const Ctx& ctx, const Request& req, Response& res, std::string_view path) {
    Representation rep;
    bool vary = false;
    if (path.back() != '/') choose_representation(ctx, path, rep, vary);
    if (!rep.fd) {
        make_error(res, 404);
        res.vary_accept_encoding = vary;
        return;
    }
    res.vary_accept_encoding = true;
    remember(ctx, path, rep, true);
    serve_representation(ctx, req, res, path, rep);
}

// False when an entry kept open no longer matches its file (rewritten in place): the caller
// then opens it afresh, and a response never pairs old metadata with new bytes.
bool serve_cached(const Ctx& ctx, const Request& req, Response& res, std::string_view path,
                  std::shared_ptr<const CachedFile> hit) {
    Representation rep{{}, hit->st, hit->encoding, {}, {}};
    if (hit->fd) {
        if (::fstat(hit->fd.get(), &rep.st) != 0 ||
            FileIdentity::of(rep.st) != FileIdentity::of(hit->st))
            return false;
        rep.kept = hit;
    } else {
        rep.cached = hit;
    }
    res.vary_accept_encoding = hit->vary;
    serve_representation(ctx, req, res, path, rep);
    return true;
}

// Percent-encoded: a name with CR/LF cannot split the header. The query stays, as with nginx.
void redirect_to_slash(Response& res, std::string_view path, std::string_view raw_target) {
    make_error(res, 301);
    res.location = encode_path(path);
    res.location.push_back('/');
    if (const std::string_view query = query_of(raw_target); !query.empty()) {
        res.location.push_back('?');
        append_uri_safe(res.location, query);
    }
}

void serve_listing(const Ctx& ctx, const Request& req, Response& res, std::string_view path,
                   int dirfd) {
    std::vector<DirEntry> entries;
    if (const int e = list_directory(ctx.root, path, dirfd, ctx.cfg.hidden, entries); e != 0) {
        make_error(res, status_for_errno(e));
        return;
    }
    const ListingOptions opts = listing_options(req.target, req.accept);
    std::string page;
    render_listing(path, opts, entries, page);
    res.status = 200;
    res.content_type = listing_content_type(opts);
    if (opts.negotiated) res.extra_headers.emplace_back("Vary", "Accept");  // HTML or JSON
    res.add_text(page);
}

void serve_directory(const Ctx& ctx, const Request& req, Response& res, std::string_view path,
                     const poly::UniqueFd& dir) {
    if (path.back() != '/') {
        redirect_to_slash(res, path, req.target);
        return;
    }
    for (const std::string& index : ctx.cfg.index) {
        char buf[PATH_MAX];
        std::size_t len = 0;
        if (!join(buf, len, path, index)) continue;
        poly::OpenResult r = poly::open_beneath(ctx.root, {buf, len}, file_open_flags);
        if (!r.fd) {
            const int status = status_for_errno(r.error);
            if (status == 404) continue;
            make_error(res, status);
            return;
        }
        struct stat st {};
        if (::fstat(r.fd.get(), &st) != 0) {
            make_error(res, 500);
            return;
        }
        if (!S_ISREG(st.st_mode)) continue;
        serve_file(ctx, req, res, {buf, len}, std::move(r.fd), st);
        return;
    }
    if (!ctx.cfg.autoindex) {
        make_error(res, 403);  // like nginx: a directory without index is not listed
        return;
    }
    serve_listing(ctx, req, res, path, dir.get());
}

}  // namespace

StaticHandler::StaticHandler(StaticConfig cfg, std::shared_ptr<VariantCache> variants)
    : cfg_(std::move(cfg)),
      cache_(std::make_unique<FileCache>(cfg_.cache_max_file_size, cfg_.cache_max_bytes,
                                         cfg_.cache_valid_for)),
      variants_(variants ? std::move(variants)
                         : std::make_shared<VariantCache>(cfg_.compress_cache)) {
    // O_PATH: the root is only ever a starting point for openat2, and this works even if the
    // server user may search but not list it.
    const int fd = ::open(cfg_.root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "cannot open root " + cfg_.root);
    }
    root_fd_.reset(fd);
    if (!cfg_.mime_types_file.empty()) mime_.load_file(cfg_.mime_types_file);  // optional
}

void StaticHandler::handle(const Request& req, Response& res) const {
    // Per-thread buffers: handle() runs on many threads at once and must not allocate per
    // request once warm.
    thread_local DecodedTarget t;
    thread_local std::string scratch;
    t.error = decode_target_into(req.target, t.path, scratch);
    if (t.error != TargetError::none) {
        make_error(res, 400);
        return;
    }
    if (!cfg_.hidden && has_hidden_segment(t.path)) {
        make_error(res, 404);
        return;
    }
    const AcceptedCodings codings =
        cfg_.precompressed ? parse_accept_encoding(req.accept_encoding) : AcceptedCodings{};
    const Ctx ctx{cfg_, root_fd_.get(), mime_, *cache_, *variants_, codings};
    if (auto hit = cache_->find(t.path, codings_bits(codings), FileCache::clock::now());
        hit && serve_cached(ctx, req, res, t.path, std::move(hit)))
        return;
    poly::OpenResult r = poly::open_beneath(root_fd_.get(), t.path, file_open_flags);
    if (!r.fd) {
        if (r.error == ENOENT && cfg_.precompressed)
            serve_sibling_only(ctx, req, res, t.path);
        else
            make_error(res, status_for_errno(r.error));
        return;
    }
    struct stat st {};
    if (::fstat(r.fd.get(), &st) != 0) {
        make_error(res, 500);
        return;
    }
    if (S_ISDIR(st.st_mode)) {
        serve_directory(ctx, req, res, t.path, r.fd);
    } else if (S_ISREG(st.st_mode)) {
        serve_file(ctx, req, res, t.path, std::move(r.fd), st);
    } else {
        make_error(res, 403);  // fifo, socket, device: never served
    }
}

}  // namespace http
