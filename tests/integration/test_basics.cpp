// Basic static-file behaviour, for every model: bodies, headers, redirects, conditionals,
// ranges, methods.
#include "suite.hpp"

using namespace itest;

namespace {

bool is_http_date(const std::string& s) {
    // IMF-fixdate: "Sun, 06 Nov 1994 08:49:37 GMT"
    return s.size() == 29 && s[3] == ',' && s.substr(25) == " GMT" && s[19] == ':';
}

void check_file_headers(const HttpResponse& r, std::size_t length) {
    INFO("response head:\n" << r.head);
    CHECK(is_http_date(r.get("Date")));
    CHECK(r.has("Server"));
    CHECK(r.get("Content-Length") == std::to_string(length));
    CHECK(is_http_date(r.get("Last-Modified")));
    const std::string etag = r.get("ETag");
    INFO("ETag: " << etag);
    CHECK(etag.size() >= 3);
    CHECK(etag.rfind('"', 0) == 0);  // strong validator: no W/ prefix
    CHECK(etag.find('"', 1) == etag.size() - 1);
    CHECK(r.has_token("Accept-Ranges", "bytes"));
    CHECK(r.count("Content-Length") == 1);
}

bool lists(const HttpResponse& r, std::string_view method) { return r.has_token("Allow", method); }

// GET / serves index.html with the standard headers
void get_index(std::uint16_t port) {
    const WebRoot& root = web_root();
    const HttpResponse r = fetch(port, get_request("/"));
    CHECK(r.status == 200);
    CHECK(r.body == root.index_body);
    CHECK(r.get("Content-Type") == "text/html; charset=utf-8");
    check_file_headers(r, root.index_body.size());
}

// HEAD has GET's headers and no body (the next response parses cleanly)
void head_matches_get(std::uint16_t port) {
    const WebRoot& root = web_root();
    RawClient c(port);
    const HttpResponse g = roundtrip(c, get_request("/page.html"));
    const HttpResponse h = roundtrip(c, make_request("HEAD", "/page.html"), true);
    CHECK(h.status == 200);
    check_file_headers(h, root.page_size);
    CHECK(h.get("ETag") == g.get("ETag"));
    CHECK(h.get("Last-Modified") == g.get("Last-Modified"));
    CHECK(h.get("Content-Type") == g.get("Content-Type"));
    // Had the HEAD response carried a body, this would read garbage.
    const HttpResponse after = roundtrip(c, get_request("/f01.txt"));
    CHECK(after.status == 200);
    CHECK(after.body == WebRoot::numbered_body(1));
    CHECK(c.pending().empty());
}

// a 1 MiB file arrives byte for byte
void big_file(std::uint16_t port) {
    const WebRoot& root = web_root();
    const HttpResponse r = fetch(port, get_request("/big.bin"));
    CHECK(r.status == 200);
    CHECK(r.get("Content-Type") == "application/octet-stream");
    check_file_headers(r, WebRoot::big_size);
    CHECK(r.body.size() == root.big_body.size());
    CHECK(first_mismatch(r.body, root.big_body) == no_mismatch);
}

// a missing file is 404
void missing_file(std::uint16_t port) {
    RawClient c(port);
    CHECK(roundtrip(c, get_request("/no-such-file.html")).status == 404);
    CHECK(roundtrip(c, get_request("/dir/nope/")).status == 404);
}

// a directory without its slash is 301 to the slash; with it, its index
void directory_redirect(std::uint16_t port) {
    const WebRoot& root = web_root();
    RawClient c(port);
    const HttpResponse r = roundtrip(c, get_request("/dir"));
    CHECK(r.status == 301);
    const std::string loc = r.get("Location");
    INFO("Location: " << loc);
    CHECK(loc.size() >= 5);
    CHECK(loc.substr(loc.size() >= 5 ? loc.size() - 5 : 0) == "/dir/");
    const HttpResponse d = roundtrip(c, get_request("/dir/"));
    CHECK(d.status == 200);
    CHECK(d.body == root.dir_index_body);
}

// a directory without an index and without --autoindex is not listed
void directory_without_index(std::uint16_t port) {
    const HttpResponse r = fetch(port, get_request("/dir-noindex/"));
    CHECK((r.status == 403 || r.status == 404));
    CHECK(r.body.find("file.txt") == std::string::npos);
}

// If-None-Match with the ETag and If-Modified-Since give 304 without a body
void conditional_get(std::uint16_t port) {
    const WebRoot& root = web_root();
    RawClient c(port);
    const HttpResponse g = roundtrip(c, get_request("/page.html"));
    REQUIRE(g.status == 200);
    const HttpResponse inm = roundtrip(c, get_request("/page.html", "If-None-Match: " + g.get("ETag") + "\r\n"));
    CHECK(inm.status == 304);
    CHECK(inm.get("ETag") == g.get("ETag"));
    const HttpResponse ims = roundtrip(c, get_request("/page.html", "If-Modified-Since: " + g.get("Last-Modified") + "\r\n"));
    CHECK(ims.status == 304);
    const HttpResponse other = roundtrip(c, get_request("/page.html", "If-None-Match: \"nope\"\r\n"));
    CHECK(other.status == 200);
    CHECK(other.body == root.page_body);
}

// Range bytes=0-9 is 206 with exactly those bytes
void range_first_ten(std::uint16_t port) {
    const WebRoot& root = web_root();
    const HttpResponse r = fetch(port, get_request("/page.html", "Range: bytes=0-9\r\n"));
    CHECK(r.status == 206);
    CHECK(r.get("Content-Range") == "bytes 0-9/679");
    CHECK(r.get("Content-Length") == "10");
    CHECK(r.body == root.page_body.substr(0, 10));
}

// suffix and open-ended ranges on the big file
void suffix_and_open_ranges(std::uint16_t port) {
    const WebRoot& root = web_root();
    RawClient c(port);
    const HttpResponse s = roundtrip(c, get_request("/big.bin", "Range: bytes=-100\r\n"));
    CHECK(s.status == 206);
    CHECK(s.body == root.big_body.substr(WebRoot::big_size - 100));
    const HttpResponse o = roundtrip(c, get_request("/big.bin", "Range: bytes=1000000-\r\n"));
    CHECK(o.status == 206);
    CHECK(o.body == root.big_body.substr(1000000));
}

// an unsatisfiable range is 416 with bytes */size
void unsatisfiable_range(std::uint16_t port) {
    const HttpResponse r = fetch(port, get_request("/page.html", "Range: bytes=5000-6000\r\n"));
    CHECK(r.status == 416);
    CHECK(r.get("Content-Range") == "bytes */679");
}

// OPTIONS answers Allow
void options_allow(std::uint16_t port) {
    const HttpResponse r = fetch(port, make_request("OPTIONS", "/"));
    CHECK((r.status == 200 || r.status == 204));
    INFO("Allow: " << r.get("Allow"));
    CHECK(lists(r, "GET"));
    CHECK(lists(r, "HEAD"));
}

// POST is 405 with Allow
void post_405(std::uint16_t port) {
    const HttpResponse r = fetch(port, make_request("POST", "/", "Content-Length: 0\r\n"));
    CHECK(r.status == 405);
    INFO("Allow: " << r.get("Allow"));
    CHECK(lists(r, "GET"));
}

// an unknown method (BREW) is 501
void unknown_method_501(std::uint16_t port) {
    RawClient c(port);
    REQUIRE(c.send(make_request("BREW", "/pot")));
    HttpResponse r;
    const ReadResult res = c.read_response(r);
    INFO(to_string(res) << ": " << c.error());
    REQUIRE(res == ReadResult::ok);
    CHECK(r.status == 501);
}

// a precompressed .gz sibling is served when accepted, with Vary
void precompressed_sibling(std::uint16_t port) {
    const WebRoot& root = web_root();
    RawClient c(port);
    const HttpResponse gz = roundtrip(c, get_request("/style.css", "Accept-Encoding: br;q=0, gzip\r\n"));
    CHECK(gz.status == 200);
    CHECK(gz.get("Content-Encoding") == "gzip");
    CHECK(gz.has_token("Vary", "Accept-Encoding"));
    CHECK(gz.get("Content-Type") == "text/css; charset=utf-8");
    CHECK(gz.body == root.style_gz_body);
    const HttpResponse plain = roundtrip(c, get_request("/style.css"));
    CHECK(plain.status == 200);
    CHECK_FALSE(plain.has("Content-Encoding"));
    CHECK(plain.body == root.style_body);
}

// /.well-known is served although dotfiles are hidden
void well_known(std::uint16_t port) {
    const HttpResponse r = fetch(port, get_request("/.well-known/x"));
    CHECK(r.status == 200);
    CHECK(r.body == "well-known\n");
}

// a query string is ignored
void query_ignored(std::uint16_t port) {
    const WebRoot& root = web_root();
    const HttpResponse r = fetch(port, get_request("/page.html?x=1&y=%2F"));
    CHECK(r.status == 200);
    CHECK(r.body == root.page_body);
}

}  // namespace

TEST_CASE("basics: files, headers, conditionals, ranges, methods", "[integration][basics]") {
    MODEL_UNDER_TEST();
    const std::uint16_t port = shared_server(model).port();

    SECTION("GET / serves index.html with the standard headers") { get_index(port); }
    SECTION("HEAD has GET's headers and no body (the next response parses cleanly)") { head_matches_get(port); }
    SECTION("a 1 MiB file arrives byte for byte") { big_file(port); }
    SECTION("a missing file is 404") { missing_file(port); }
    SECTION("a directory without its slash is 301 to the slash; with it, its index") { directory_redirect(port); }
    SECTION("a directory without an index and without --autoindex is not listed") { directory_without_index(port); }
    SECTION("If-None-Match with the ETag and If-Modified-Since give 304 without a body") { conditional_get(port); }
    SECTION("Range bytes=0-9 is 206 with exactly those bytes") { range_first_ten(port); }
    SECTION("suffix and open-ended ranges on the big file") { suffix_and_open_ranges(port); }
    SECTION("an unsatisfiable range is 416 with bytes */size") { unsatisfiable_range(port); }
    SECTION("OPTIONS answers Allow") { options_allow(port); }
    SECTION("POST is 405 with Allow") { post_405(port); }
    SECTION("an unknown method (BREW) is 501") { unknown_method_501(port); }
    SECTION("a precompressed .gz sibling is served when accepted, with Vary") { precompressed_sibling(port); }
    SECTION("/.well-known is served although dotfiles are hidden") { well_known(port); }
    SECTION("a query string is ignored") { query_ignored(port); }
    CLEAN_SHUTDOWN_SECTION()
}
