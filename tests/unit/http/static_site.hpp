// A test web root shared by the static handler tests, and helpers to run a request through a
// StaticHandler with no socket and read back the body a transport would send.
#pragma once

#include <unistd.h>

#include <string>
#include <string_view>

#include "base/open_beneath.hpp"
#include "http/proto/request.hpp"
#include "http/proto/response.hpp"
#include "http/static/file_cache.hpp"
#include "http/static/static_handler.hpp"
#include "unit/http/temp_root.hpp"

namespace test {

inline constexpr std::string_view odd_dir = "we ird\r\n\"x";  // CR, LF, space and quote
inline constexpr std::string_view script_name = "<script>&\".html";

inline std::string digits() {
    std::string s;
    for (int i = 0; i < 10; ++i) s += "0123456789";
    return s;
}

// See the file list in the test report: every case below names one of these.
inline void build_site(const TempRoot& t) {
    t.file("outside/secret.txt", "SECRET");
    t.file("root/hello.txt", "hello world\n");
    t.file("root/digits.txt", digits());
    t.file("root/empty.txt", "");
    t.dir("root/dir");
    t.file("root/dir/index.html", "<h1>dir</h1>\n");
    t.dir("root/dir/sub");
    t.file("root/dir/sub/deep.txt", "deep\n");
    t.dir("root/noindex");
    t.file("root/noindex/a.txt", "a");
    t.dir("root/noindex/b");
    t.file("root/noindex/.secret", "s");
    t.file("root/noindex/" + std::string(script_name), "x");
    t.fifo("root/noindex/fifo");
    t.link("../../outside", "root/noindex/out");
    t.link("../a.txt", "root/noindex/b/to_a");
    t.file("root/.hidden.txt", "hidden");
    t.dir("root/.git");
    t.file("root/.git/config", "git");
    t.dir("root/.well-known");
    t.file("root/.well-known/acme.txt", "acme");
    t.link("hello.txt", "root/link_in");
    t.link("dir", "root/link_in_dir");
    t.link("dir/../hello.txt", "root/link_up");
    t.dir("root/sub");
    t.link("..", "root/sub/up");
    t.link("../..", "root/sub/upup");
    t.link(t.path("root/hello.txt"), "root/link_abs_in");
    t.link(t.path("outside/secret.txt"), "root/link_out_abs");
    t.link("../outside/secret.txt", "root/link_out_rel");
    t.link("../outside", "root/link_out_dir");
    t.link("/proc/self/root/etc/hostname", "root/link_magic");
    t.link("loop_b", "root/loop_a");
    t.link("loop_a", "root/loop_b");
    t.fifo("root/fifo");
    t.file("root/comp.js", "var x = 1;\n");
    t.file("root/comp.js.gz", "GZIPPED");
    t.file("root/comp.js.br", "BROTLI");
    t.file("root/only_gz.css", "body{}\n");
    t.file("root/only_gz.css.gz", "GZCSS");
    t.file("root/private.txt", "private", 0000);
    t.dir("root/private_dir", 0700);
    t.file("root/private_dir/x.txt", "x");
    t.dir("root/" + std::string(odd_dir));
}

inline http::StaticConfig site_config(const TempRoot& t) {
    http::StaticConfig cfg;
    cfg.root = t.root();
    cfg.mime_types_file = "";  // the built-in table only: results must not depend on the host
    return cfg;
}

inline http::Request make_request(std::string_view target, http::Method m = http::Method::get) {
    http::Request req;
    req.method = m;
    req.method_name = m == http::Method::head ? "HEAD" : "GET";
    req.target = target;
    return req;
}

inline http::Response run(const http::StaticHandler& h, const http::Request& req) {
    http::Response res;
    h.handle(req, res);
    return res;
}

inline http::Response get(const http::StaticHandler& h, std::string_view target) {
    return run(h, make_request(target));
}

// The body bytes a transport would send: text pieces from res.text, file pieces via pread.
inline std::string body_of(const http::Response& res) {
    std::string out;
    for (const http::BodyPiece& p : res.pieces) {
        if (p.kind == http::BodyPiece::Kind::text) {
            out.append(res.text, p.offset, p.length);
            continue;
        }
        if (const std::string* mem = http::cached_body(res)) {  // a small file from memory
            out.append(*mem, p.offset, p.length);
            continue;
        }
        std::string chunk(p.length, '\0');
        const ssize_t n = ::pread(http::file_descriptor(res), chunk.data(), chunk.size(),
                                  static_cast<off_t>(p.offset));
        if (n != static_cast<ssize_t>(chunk.size())) return "<short read>";
        out += chunk;
    }
    return out;
}

// Forces the userspace walk (as if openat2 returned ENOSYS) for its lifetime.
class WalkMode {
public:
    explicit WalkMode(bool on) noexcept { poly::detail::force_openat_walk.store(on); }
    ~WalkMode() { poly::detail::force_openat_walk.store(false); }
    WalkMode(const WalkMode&) = delete;
    WalkMode& operator=(const WalkMode&) = delete;
};

}  // namespace test
