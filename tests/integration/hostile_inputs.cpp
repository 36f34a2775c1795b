#include "hostile_inputs.hpp"

#include <cstdint>
#include <initializer_list>
#include <string_view>

#include "suite.hpp"

namespace itest {
namespace {

using namespace std::string_literals;  // "..."s keeps embedded NULs

// A GET of `target` with Host, the given extra header lines (CRLF-terminated) and body.
std::string req(std::string_view extra = "", std::string_view target = "/",
                std::string_view body = "") {
    return "GET "s.append(target).append(" HTTP/1.1\r\nHost: test\r\n").append(extra).append("\r\n").append(body);
}

std::string bytes(std::initializer_list<unsigned> list) {
    std::string s;
    for (unsigned b : list) s.push_back(static_cast<char>(b & 0xffu));
    return s;
}

std::string noise(std::size_t n, std::uint32_t seed) {
    std::string s;
    for (std::size_t i = 0; i < n; ++i) {
        seed = seed * 1664525u + 1013904223u;
        s.push_back(static_cast<char>(seed >> 24));
    }
    return s;
}

std::string tls_client_hello() {
    // Record header (handshake, TLS 1.0, length 200), ClientHello header (length 196),
    // client version TLS 1.2, then random, session id, suites... as opaque bytes.
    return bytes({0x16, 0x03, 0x01, 0x00, 0xc8, 0x01, 0x00, 0x00, 0xc4, 0x03, 0x03}) + noise(200, 7);
}

std::string many_ranges(std::string_view item, int n, bool step) {
    std::string v = "Range: bytes=";
    for (int i = 0; i < n; ++i) {
        if (i > 0) v += ',';
        v += step ? std::to_string(2 * i) + "-" + std::to_string(2 * i) : std::string(item);
    }
    return v + "\r\n";
}

using V = std::vector<HostileInput>;

const std::string te = "Transfer-Encoding: chunked\r\n";

// A framing row: the hostile bytes, then a pipelined probe request for /f19.txt whose body
// must never come back, whatever the server makes of the bytes in between
// (test_hostile.cpp checks); the connection must close.
void framing_row(V& t, std::string name, std::string bytes, std::vector<int> statuses,
                 std::size_t responses = 1) {
    t.push_back({std::move(name), std::move(bytes) + req("", smuggling_probe), std::move(statuses),
                 true, responses});
}

void framing(V& t) {
    const auto row = [&t](std::string name, std::string bytes, std::vector<int> statuses,
                          std::size_t responses = 1) {
        framing_row(t, std::move(name), std::move(bytes), std::move(statuses), responses);
    };
    row("missing Host on HTTP/1.1", "GET / HTTP/1.1\r\n\r\n", {400});
    row("duplicate Host", "GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", {400});
    row("Content-Length with Transfer-Encoding", req("Content-Length: 5\r\n" + te, "/", "0\r\n\r\n"), {400});
    row("two different Content-Lengths", req("Content-Length: 1\r\nContent-Length: 2\r\n", "/", "ab"), {400});
    row("Content-Length: 1x", req("Content-Length: 1x\r\n", "/", "a"), {400});
    row("Content-Length: -1", req("Content-Length: -1\r\n"), {400});
    row("Content-Length: +5", req("Content-Length: +5\r\n", "/", "hello"), {400});
    row("Content-Length: 1 2", req("Content-Length: 1 2\r\n", "/", "a"), {400});
    row("Content-Length overflow", req("Content-Length: 999999999999999999999999\r\n"), {400});
    row("Transfer-Encoding: gzip", req("Transfer-Encoding: gzip\r\n", "/", "x"), {400});
    row("Transfer-Encoding: chunked, gzip", req("Transfer-Encoding: chunked, gzip\r\n", "/", "0\r\n\r\n"), {400});
    // RFC 9112 §6.1: framing of an HTTP/1.0 message with Transfer-Encoding is faulty: close.
    row("Transfer-Encoding on HTTP/1.0", "GET / HTTP/1.0\r\n" + te + "\r\n0\r\n\r\n", {200, 400}, 0);
    // A bad chunk may be found after the GET was answered (the Connection answers at the
    // head); then no 400 can follow, only the close. Either way nothing after it is parsed.
    row("bad chunk size zz", req(te, "/", "zz\r\nhello\r\n0\r\n\r\n"), {400, 200}, 0);
    row("chunk size overflow", req(te, "/", "ffffffffffffffffffffffff\r\nx\r\n0\r\n\r\n"), {400, 200}, 0);
}

// Smuggling beyond the basics: every way a front end and this server could disagree on
// where a body ends. Rows whose body the server may answer before it finds the fault allow
// 200 too (the close is what matters: nothing after the fault is parsed).
void smuggling(V& t) {
    const std::string probe_target = "/f07.txt";
    framing_row(t, "two equal Content-Lengths", req("Content-Length: 3\r\nContent-Length: 3\r\n", "/", "abc"), {400});
    framing_row(t, "Transfer-Encoding: chunked, identity", req("Transfer-Encoding: chunked, identity\r\n", "/", "0\r\n\r\n"), {400});
    framing_row(t, "Transfer-Encoding: xchunked", req("Transfer-Encoding: xchunked\r\n", "/", "0\r\n\r\n"), {400});
    framing_row(t, "Transfer-Encoding : chunked (space before colon)", req("Transfer-Encoding : chunked\r\n", "/", "0\r\n\r\n"), {400});
    framing_row(t, "Transfer-Encoding twice, chunked then gzip", req(te + "Transfer-Encoding: gzip\r\n", "/", "0\r\n\r\n"), {400});
    framing_row(t, "Transfer-Encoding with a bare CR", req("Transfer-Encoding: chunked\r, x\r\n", "/", "0\r\n\r\n"), {400});
    framing_row(t, "bare LF after a chunk size", req(te, "/", "5\nhello\r\n0\r\n\r\n"), {400, 200}, 0);
    framing_row(t, "negative chunk size", req(te, "/", "-1\r\nx\r\n0\r\n\r\n"), {400, 200}, 0);
    framing_row(t, "chunk size with 0x prefix", req(te, "/", "0x5\r\nhello\r\n0\r\n\r\n"), {400, 200}, 0);
    framing_row(t, "chunk data longer than its size", req(te, "/", "2\r\nhello\r\n0\r\n\r\n"), {400, 200}, 0);
    // Only chunk data used to count against the body limit: these were read without end.
    framing_row(t, "chunk extension of 100 KiB", req(te, probe_target, "1;" + std::string(100 * 1024, 'e') + "\r\nz\r\n0\r\n\r\n"), {200});
    std::string tiny;
    while (tiny.size() < 80 * 1024) tiny += "1\r\nz\r\n";
    framing_row(t, "80 KiB of one-byte chunks", req(te, probe_target, tiny + "0\r\n\r\n"), {200});
    framing_row(t, "Content-Length of 10^15 (answered, body never read)", req("Content-Length: 1000000000000000\r\n", probe_target), {200});
}

void header_syntax(V& t) {
    t.push_back({"obs-fold continuation line", req("X-A: b\r\n c\r\n"), {400}, true});
    t.push_back({"whitespace before the first header", "GET / HTTP/1.1\r\n Host: test\r\n\r\n", {400}, true});
    t.push_back({"empty header name", req(": x\r\n"), {400}, true});
    t.push_back({"space before colon (Host : a)", "GET / HTTP/1.1\r\nHost : a\r\n\r\n", {400}, true});
    t.push_back({"space before colon (X-Foo : b)", req("X-Foo : b\r\n"), {400}, true});
    t.push_back({"header line without colon", req("NoColonHere\r\n"), {400}, true});
    t.push_back({"bare CR in a header value", req("X-A: b\rc\r\n"), {400}, true});
    t.push_back({"NUL in a header value", req("X-A: b\0c\r\n"s), {400}, true});
    t.push_back({"bare LF line endings", "GET / HTTP/1.1\nHost: test\n\n", {400}, true});
    t.push_back({"head larger than --max-head-size",
                 req([] {
                     std::string h;
                     for (std::size_t i = 0; h.size() < max_head_size + 1500; ++i)
                         h += "X-Pad-" + std::to_string(i) + ": " + std::string(100, 'a') + "\r\n";
                     return h;
                 }()),
                 {431}, true});
    t.push_back({"endless header line beyond --max-head-size",
                 "GET / HTTP/1.1\r\nHost: test\r\nX-Long: " + std::string(max_head_size + 1000, 'a'), {431}, true});
}

void request_line(V& t) {
    t.push_back({"HTTP/2.0", "GET / HTTP/2.0\r\nHost: test\r\n\r\n", {505}, true});
    t.push_back({"HTTP/1.2", "GET / HTTP/1.2\r\nHost: test\r\n\r\n", {505}, true});
    // RFC 9112 §3: no request-line grammar is 400; 501 only for a well-formed line whose method
    // is a token we do not implement (RFC 9110 §15.6.2).
    t.push_back({"HTTP/0.9 style request (no version)", "GET /\r\n\r\n", {400}, true});
    t.push_back({"request line of one word", "garbage\r\n\r\n", {400}, true});
    t.push_back({"method alone", "GET\r\n\r\n", {400}, true});
    t.push_back({"unknown method without a version", "BREW /\r\n\r\n", {400}, true});
    t.push_back({"unknown method, well-formed line", "BREW / HTTP/1.1\r\nHost: test\r\n\r\n", {501}, true});
    t.push_back({"lowercase method", "get / HTTP/1.1\r\nHost: test\r\n\r\n", {501}, true});
    t.push_back({"overlong method token", std::string(200, 'A') + " / HTTP/1.1\r\nHost: test\r\n\r\n", {501}, true});
    t.push_back({"space in target", "GET /a b HTTP/1.1\r\nHost: test\r\n\r\n", {400}, true});
    t.push_back({"target longer than --max-target-size", req("", "/" + std::string(max_target_size + 100, 'a')), {414}, true});
    t.push_back({"TLS ClientHello", tls_client_hello(), {400}, true});
    t.push_back({"random garbage", "\xff\xfe" + noise(300, 99), {400}, true});
    t.push_back({"GET * (asterisk-form)", "GET * HTTP/1.1\r\nHost: test\r\n\r\n", {400}, false});
    t.push_back({"CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", {400, 405}, true});
}

// RFC 9112 §3.2: a Host (or an absolute-form authority) that is not uri-host [":" port].
void host_values(V& t) {
    for (const std::string host : {"###", "a b", "a/b@c", "[::1", "localhost:abc", "x:1:2", "\xff", ":80", ""})
        t.push_back({"Host: '" + (host == "\xff" ? "<0xFF>" : host) + "'", "GET / HTTP/1.1\r\nHost: " + host + "\r\n\r\n", {400}, true});
    t.push_back({"absolute-form authority ###", "GET http://###/page.html HTTP/1.1\r\nHost: test\r\n\r\n", {400}, true});
    t.push_back({"absolute-form with userinfo", "GET http://u@test/page.html HTTP/1.1\r\nHost: test\r\n\r\n", {400}, true});
}

void targets(V& t) {
    t.push_back({"traversal /../secret.txt", req("", "/../secret.txt"), {400, 404}, false});
    t.push_back({"traversal /../../etc/passwd", req("", "/../../../../etc/passwd"), {400, 404}, false});
    t.push_back({"traversal /%2e%2e/%2e%2e/etc/passwd", req("", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd"), {400, 404}, false});
    t.push_back({"traversal /%2e%2e/secret.txt", req("", "/%2e%2e/secret.txt"), {400, 404}, false});
    t.push_back({"traversal /..%2f..%2fetc/passwd", req("", "/..%2f..%2f..%2fetc/passwd"), {400, 404}, false});
    t.push_back({"traversal /%2e%2e%2f", req("", "/%2e%2e%2f"), {400, 404}, false});
    t.push_back({"traversal through a directory /dir/../../secret.txt", req("", "/dir/../../secret.txt"), {400, 404}, false});
    t.push_back({"double-encoded dots /%252e%252e/secret.txt", req("", "/%252e%252e/secret.txt"), {404}, false});
    t.push_back({"backslash traversal", req("", "/..\\..\\secret.txt"), {400, 404}, false});
    t.push_back({"absolute-form traversal", "GET http://x/../../etc/passwd HTTP/1.1\r\nHost: x\r\n\r\n", {400, 404}, false});
    t.push_back({"symlink to /etc/passwd", req("", "/passwd-link"), {403, 404}, false});
    t.push_back({"relative symlink out of the root", req("", "/outside-link"), {403, 404}, false});
    t.push_back({"dotfile /.hidden", req("", "/.hidden"), {404}, false});
    t.push_back({"encoded slash /a%2Fb", req("", "/dir%2Findex.html"), {400}, false});
    t.push_back({"%00 in the target", req("", "/page.html%00.txt"), {400}, false});
    t.push_back({"invalid escape /%zz", req("", "/%zz"), {400}, false});
    t.push_back({"truncated escape /page.html%2", req("", "/page.html%2"), {400}, false});
}

void more_targets(V& t) {
    t.push_back({"overlong UTF-8 dots /%c0%ae%c0%ae/secret.txt", req("", "/%c0%ae%c0%ae/secret.txt"), {400, 404}, false});
    t.push_back({"mixed-case encoded dots /%2E%2e/secret.txt", req("", "/%2E%2e/secret.txt"), {400, 404}, false});
    t.push_back({"half-encoded dots /.%2e/secret.txt", req("", "/.%2e/secret.txt"), {400, 404}, false});
    t.push_back({"encoded backslash /..%5c..%5csecret.txt", req("", "/..%5c..%5csecret.txt"), {400, 404}, false});
    t.push_back({"IIS-style %u002e", req("", "/%u002e%u002e/secret.txt"), {400}, false});
    t.push_back({"double slash //etc/passwd", req("", "//etc/passwd"), {400, 404}, false});
    t.push_back({"absolute-form naming another host serves only this root",
                 "GET http://other.example/../secret.txt HTTP/1.1\r\nHost: test\r\n\r\n", {400, 404}, false});
    t.push_back({"symlink to a directory out of the root", req("", "/outside-dir-link/secret.txt"), {403, 404}, false});
}

void limits_and_garbage(V& t) {
    std::string many;
    while (many.size() < max_head_size + 1024) many += "X: y\r\n";
    t.push_back({"too many small headers", req(many), {431}, true});
    t.push_back({"header name beyond --max-head-size", req(std::string(max_head_size + 100, 'N') + ": v\r\n"), {431}, true});
    t.push_back({"SSLv2-style ClientHello", bytes({0x80, 0x2e, 0x01, 0x00, 0x02, 0x00, 0x15, 0x00, 0x00, 0x00, 0x10}) + noise(40, 3), {400}, true});
    t.push_back({"HTTP/2 connection preface", "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", {400, 501, 505}, true});
    t.push_back({"NUL bytes only", std::string(64, '\0'), {400}, true});
}

void more_ranges(V& t) {
    std::string seventeen = "Range: bytes=";
    for (int i = 0; i < 17; ++i) seventeen += (i > 0 ? "," : "") + std::to_string(40 * i) + "-" + std::to_string(40 * i);
    t.push_back({"17 disjoint ranges: the whole file instead", req(seventeen + "\r\n", "/page.html"), {200}, false, 1,
                 WebRoot::page_size + 1024});
    t.push_back({"101 range specs: the header is ignored", req(many_ranges("0-0", 101, false), "/page.html"), {200}, false, 1,
                 WebRoot::page_size + 1024});
    t.push_back({"overlapping ranges are merged into one part", req("Range: bytes=0-100,50-150,100-200\r\n", "/big.bin"), {206},
                 false, 1, 201 + 1024});
    t.push_back({"unsatisfiable range", req("Range: bytes=2000000-\r\n", "/big.bin"), {416}, false});
}

void smuggling_and_amplification(V& t) {
    // The body is a complete request: parsed as one, it would add a third response (404).
    const std::string inner = "GET /x HTTP/1.1\r\nHost: test\r\n\r\n";
    t.push_back({"Content-Length body that looks like a request, then a pipelined GET",
                 req("Content-Length: " + std::to_string(inner.size()) + "\r\n", "/f07.txt", inner) +
                     req("", "/f08.txt"),
                 {200}, false, 2});
    t.push_back({"chunked body, then a pipelined GET",
                 req("Transfer-Encoding: chunked\r\n", "/f07.txt", "6\r\nGET /x\r\n0\r\n\r\n") + req("", "/f08.txt"),
                 {200}, false, 2});
    t.push_back({"Expect: 100-continue on a GET without body", req("Expect: 100-continue\r\n", "/page.html"), {200}, false});
    t.push_back({"Range amplification: 200 x bytes=0-", req(many_ranges("0-", 200, false), "/big.bin"),
                 {200, 206}, false, 1, WebRoot::big_size + 1024});
    t.push_back({"Range amplification: 200 disjoint one-byte ranges", req(many_ranges("", 200, true), "/page.html"),
                 {200, 206}, false, 1, WebRoot::page_size + 1024});
}

}  // namespace

const std::vector<HostileInput>& hostile_inputs() {
    static const V table = [] {
        V t;
        framing(t);
        smuggling(t);
        header_syntax(t);
        request_line(t);
        host_values(t);
        limits_and_garbage(t);
        targets(t);
        more_targets(t);
        smuggling_and_amplification(t);
        more_ranges(t);
        return t;
    }();
    return table;
}

}  // namespace itest
