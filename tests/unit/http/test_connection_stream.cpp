// http::Connection with a streamed body: a 1 MiB compressible file and a variant cache too
// small to hold it. Chunked framing that a strict parser accepts and that decodes to the file,
// close framing for HTTP/1.0, HEAD without a body, keep-alive afterwards, and a stream cut
// short (the file shrank, the client left) that closes and holds nothing.
#include <dirent.h>
#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>

#include "http/site/site_table.hpp"
#include "unit/http/compress/decode.hpp"
#include "unit/http/connection_driver.hpp"
#include "unit/http/temp_root.hpp"

namespace {

using http::Coding;

std::string big_page() {
    std::string s = "<!doctype html>\n";
    for (unsigned i = 0; s.size() < 1024 * 1024; ++i)
        s += "<p class=\"c" + std::to_string(i % 13) + "\">line " + std::to_string(i * 40503u) +
             "</p>\n";
    s.resize(1024 * 1024);
    return s;
}

struct Fixture {
    test::TempRoot tmp;
    std::string page = big_page();
    http::SiteTable sites;
    http::ConnectionLimits limits;

    static http::StaticConfig make_config(const test::TempRoot& t, const std::string& page) {
        t.file("root/big.html", page);
        t.file("root/a.txt", "alpha\n");
        http::StaticConfig cfg;
        cfg.root = t.root();
        cfg.mime_types_file = "";
        cfg.compress = {Coding::br, Coding::zstd, Coding::gzip};
        cfg.compress_types = {"text/*"};
        cfg.compress_cache = 64 * 1024;  // variants up to 8 KiB: the page streams
        cfg.cache_max_file_size = 0;     // no file kept open: the tests count descriptors
        return cfg;
    }
    Fixture() : sites(make_config(tmp, page)) {}
};

std::string get(std::string_view target, std::string_view ae, std::string_view version = "1.1",
                std::string_view method = "GET") {
    std::string r = std::string(method) + " " + std::string(target) + " HTTP/" +
                    std::string(version) + "\r\nHost: x\r\n";
    if (!ae.empty()) r += "Accept-Encoding: " + std::string(ae) + "\r\n";
    return r + "\r\n";
}

// One response of a transcript: its head and, for a chunked one, the body decoded from its
// chunks. A framing error (a size that is not hex, a missing CRLF, no last chunk) leaves
// `complete` false.
struct Parsed {
    std::string head;
    std::string body;
    int chunks = 0;
    bool complete = false;
    std::size_t end = 0;  // where the next response starts
};

Parsed parse_chunked(const std::string& out, std::size_t from = 0) {
    Parsed p;
    const std::size_t head_end = out.find("\r\n\r\n", from);
    if (head_end == std::string::npos) return p;
    p.head = out.substr(from, head_end + 4 - from);
    std::size_t pos = head_end + 4;
    for (;;) {
        const std::size_t eol = out.find("\r\n", pos);
        if (eol == std::string::npos || eol == pos) return p;
        const std::string size_line = out.substr(pos, eol - pos);
        if (size_line.find_first_not_of("0123456789abcdef") != std::string::npos) return p;
        const std::size_t n = std::stoul(size_line, nullptr, 16);
        pos = eol + 2;
        if (n == 0) break;
        if (out.size() < pos + n + 2 || out.compare(pos + n, 2, "\r\n") != 0) return p;
        p.body.append(out, pos, n);
        ++p.chunks;
        pos += n + 2;
    }
    if (out.compare(pos, 2, "\r\n") != 0) return p;  // no trailers: the CRLF ends the body
    p.complete = true;
    p.end = pos + 2;
    return p;
}

bool has(std::string_view head, std::string_view field) {
    return head.find("\r\n" + std::string(field) + "\r\n") != std::string_view::npos;
}

// Open descriptors of this process: a stream's file must be closed when it ends.
int open_fds() {
    int n = 0;
    DIR* d = ::opendir("/proc/self/fd");
    REQUIRE(d != nullptr);
    while (::readdir(d) != nullptr) ++n;
    ::closedir(d);
    return n;
}

}  // namespace

TEST_CASE("stream: a large file goes out chunked and decodes to the file", "[connection]") {
    Fixture f;
    {
        const Coding c = Coding::gzip;
        const std::string name(http::coding_name(c));
        test::RecordingSink sink;
        http::Connection conn(f.sites, f.limits, &sink);
        const auto t = test::run(conn, get("/big.html", "br, zstd, " + name));
        const Parsed p = parse_chunked(t.output);
        REQUIRE(p.complete);
        CHECK(p.end == t.output.size());
        CHECK(p.head.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
        CHECK(has(p.head, "Transfer-Encoding: chunked"));
        CHECK(p.head.find("Content-Length") == std::string::npos);
        CHECK(has(p.head, "Content-Encoding: " + name));
        CHECK(has(p.head, "Vary: Accept-Encoding"));
        CHECK(p.head.find("-" + name + "\"\r\n") != std::string::npos);  // the variant's ETag
        CHECK(p.chunks > 1);
        CHECK(test::decode(c, p.body) == f.page);
        CHECK_FALSE(t.closed);
        REQUIRE(sink.rec.statuses == std::vector<int>{200});
        CHECK(sink.rec.body_bytes[0] == t.output.size() - p.head.size());  // framing included
    }
    // Brotli and zstd are never streamed (megabytes of state per connection): a client that
    // accepts only those gets the file as it is, with its length.
    for (const std::string ae : {"br", "zstd"}) {
        INFO(ae);
        http::Connection conn(f.sites, f.limits);
        const auto t = test::run(conn, get("/big.html", ae));
        CHECK(t.output.find("Transfer-Encoding") == std::string::npos);
        CHECK(t.output.find("Content-Encoding") == std::string::npos);
        CHECK(has(t.output, "Content-Length: " + std::to_string(f.page.size())));
        CHECK(has(t.output, "Vary: Accept-Encoding"));
        CHECK(t.output.ends_with(f.page));
    }
}

TEST_CASE("stream: how the transport writes changes nothing", "[connection]") {
    Fixture f;
    http::Connection whole(f.sites, f.limits);
    const auto expected = test::run(whole, get("/big.html", "gzip"));
    for (std::size_t wstep : {std::size_t{1000}, std::size_t{65537}}) {
        INFO("write step " << wstep);
        http::Connection c(f.sites, f.limits);
        const auto t = test::run(c, get("/big.html", "gzip"), 0, false, wstep, true);
        CHECK(test::without_dates(t.output) == test::without_dates(expected.output));
    }
}

TEST_CASE("stream: keep-alive works after a chunked response", "[connection]") {
    Fixture f;
    http::Connection c(f.sites, f.limits);
    // Pipelined behind the stream, and then once more on its own.
    auto t = test::run(c, get("/big.html", "gzip") + get("/a.txt", ""));
    const Parsed p = parse_chunked(t.output);
    REQUIRE(p.complete);
    CHECK(test::decode(Coding::gzip, p.body) == f.page);
    const std::string second = t.output.substr(p.end);
    CHECK(second.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(second.ends_with("\r\n\r\nalpha\n"));
    CHECK_FALSE(t.closed);
    t = test::run(c, get("/big.html", "gzip"));
    const Parsed again = parse_chunked(t.output);
    REQUIRE(again.complete);
    CHECK(test::decode(Coding::gzip, again.body) == f.page);
    CHECK(c.want() == http::Want::read);
    CHECK(c.requests_served() == 3);
}

TEST_CASE("stream: HTTP/1.0 gets the body until close", "[connection]") {
    Fixture f;
    http::Connection c(f.sites, f.limits);
    // Even a keep-alive request: without chunks, only the close can end the body.
    const auto t = test::run(c,
                             "GET /big.html HTTP/1.0\r\nConnection: keep-alive\r\n"
                             "Accept-Encoding: gzip\r\n\r\n");
    const std::size_t head_end = t.output.find("\r\n\r\n");
    REQUIRE(head_end != std::string::npos);
    const std::string head = t.output.substr(0, head_end + 4);
    CHECK(has(head, "Connection: close"));
    CHECK(head.find("Transfer-Encoding") == std::string::npos);
    CHECK(head.find("Content-Length") == std::string::npos);
    CHECK(test::decode(Coding::gzip, t.output.substr(head_end + 4)) == f.page);
    CHECK(t.closed);
}

TEST_CASE("stream: HEAD has the same head and no body", "[connection]") {
    Fixture f;
    http::Connection c(f.sites, f.limits);
    const int fds = open_fds();
    auto t = test::run(c, get("/big.html", "gzip", "1.1", "HEAD"));
    CHECK(has(t.output, "Transfer-Encoding: chunked"));
    CHECK(has(t.output, "Content-Encoding: gzip"));
    CHECK(t.output.ends_with("\r\n\r\n"));
    CHECK(t.output.find("\r\n\r\n") == t.output.size() - 4);
    CHECK(open_fds() == fds);  // the unread stream and its file are gone
    // The same ETag as the GET's; If-None-Match with it gives 304 without a framing field.
    const auto at = t.output.find("ETag: ");
    REQUIRE(at != std::string::npos);
    const std::string etag = t.output.substr(at + 6, t.output.find("\r\n", at) - at - 6);
    t = test::run(c,
                  "GET /big.html HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip\r\n"
                  "If-None-Match: " +
                      etag + "\r\n\r\n");
    CHECK(t.output.rfind("HTTP/1.1 304 ", 0) == 0);
    CHECK(t.output.find("Transfer-Encoding") == std::string::npos);
    CHECK(t.output.find("\r\n\r\n") == t.output.size() - 4);
    t = test::run(c, get("/big.html", "gzip"));
    CHECK(t.output.find("ETag: " + etag + "\r\n") != std::string::npos);
    CHECK(parse_chunked(t.output).complete);
    CHECK_FALSE(t.closed);
}

namespace {

// Feeds one request and sends the head and the first chunk; the rest is the test's.
std::string start_stream(http::Connection& c, const std::string& req) {
    c.on_data(std::as_bytes(std::span(req.data(), req.size())));
    std::string out;
    for (int piece = 0; piece < 2; ++piece) {
        const http::Output o = c.next_output();
        REQUIRE_FALSE(o.empty());
        REQUIRE_FALSE(o.is_file());
        out.append(reinterpret_cast<const char*>(o.bytes.data()), o.bytes.size());
        c.on_written(o.bytes.size());
    }
    REQUIRE(c.want() == http::Want::write);
    return out;
}

class CompletionSink final : public http::ExchangeSink {
public:
    void exchange_done(const http::Exchange& e) noexcept override {
        completed.push_back(e.completed);
    }
    std::vector<bool> completed;
};

}  // namespace

TEST_CASE("stream: a file that shrinks mid-stream closes the connection", "[connection]") {
    Fixture f;
    CompletionSink sink;
    http::Connection c(f.sites, f.limits, &sink);
    const int fds = open_fds();
    std::string out = start_stream(c, get("/big.html", "gzip"));
    REQUIRE(::truncate(f.tmp.path("root/big.html").c_str(), 1000) == 0);
    test::drain(c, out);
    CHECK(c.want() == http::Want::close);
    CHECK_FALSE(c.wants_linger());
    const Parsed p = parse_chunked(out);
    CHECK_FALSE(p.complete);  // no last chunk: the client sees the body cut short
    CHECK(test::decode(Coding::gzip, p.body) == "<corrupt>");
    CHECK(sink.completed == std::vector<bool>{false});
    CHECK(open_fds() == fds);
}

TEST_CASE("stream: a client gone mid-stream leaks nothing", "[connection]") {
    Fixture f;
    const int fds = open_fds();
    {
        CompletionSink sink;
        http::Connection c(f.sites, f.limits, &sink);
        start_stream(c, get("/big.html", "gzip"));
        c.abort();  // the transport's send failed
        CHECK(c.want() == http::Want::close);
        CHECK(c.next_output().empty());
        CHECK(sink.completed == std::vector<bool>{false});
        CHECK(open_fds() == fds);
    }
    {
        http::Connection c(f.sites, f.limits);
        start_stream(c, get("/big.html", "gzip;q=0.5, br"));
        c.on_timeout();  // the send timeout: the same
        CHECK(c.want() == http::Want::close);
    }  // and a connection destroyed mid-stream
    CHECK(open_fds() == fds);
}
