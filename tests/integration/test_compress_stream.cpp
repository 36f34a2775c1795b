// A large file compressed as a stream, through the real binary on every model (issue 16): with
// a variant cache too small to hold it, a 1 MiB page goes out chunked (HTTP/1.1) or until
// close (HTTP/1.0), decodes to the file, shares its ETag with HEAD and 304, and leaves the
// connection usable for the next request.
#include <fstream>

#include "config_runs.hpp"
#include "suite.hpp"
#include "unit/http/compress/decode.hpp"

using namespace itest;

namespace {

struct StreamFiles {
    ScratchDir scratch;
    std::string root;
    std::string page;

    StreamFiles() {
        root = scratch.dir("www", 0755);
        page = "<!doctype html>\n";
        for (unsigned i = 0; page.size() < 1024 * 1024; ++i)
            page += "<tr><td>" + std::to_string(i) + "</td><td>" + std::to_string(i * 2654435761u) +
                    "</td></tr>\n";
        write(root + "/big.html", page);
        write(root + "/page.html", web_root().page_body);  // what the clean-stop check fetches
    }
    static void write(const std::string& path, const std::string& content) {
        std::ofstream out(path, std::ios::binary);
        out << content;
        REQUIRE(out.good());
    }
};

const StreamFiles& stream_files() {
    static const StreamFiles files;
    return files;
}

// Reads one CRLF-terminated line of the chunked body.
std::string read_line(RawClient& c) {
    std::string line;
    while (!line.ends_with("\r\n")) REQUIRE(c.read_exact(line, 1) == ReadResult::ok);
    line.resize(line.size() - 2);
    return line;
}

// The body of a chunked response whose head was read, decoded from its chunks (RFC 9112 §7.1);
// fails the test on any framing error.
std::string read_chunked(RawClient& c, int& chunks) {
    std::string body;
    chunks = 0;
    for (;;) {
        const std::string size_line = read_line(c);
        INFO("chunk size line: " << size_line);
        REQUIRE(!size_line.empty());
        REQUIRE(size_line.find_first_not_of("0123456789abcdef") == std::string::npos);
        const std::size_t n = std::stoul(size_line, nullptr, 16);
        if (n == 0) break;
        REQUIRE(c.read_exact(body, n) == ReadResult::ok);
        REQUIRE(read_line(c).empty());
        ++chunks;
    }
    REQUIRE(read_line(c).empty());  // no trailers
    return body;
}

std::string request(std::string_view method, std::string_view extra) {
    return make_request(method, "/big.html", extra);
}

}  // namespace

TEST_CASE("compression: a large file streams chunked on every model",
          "[integration][compress_stream]") {
    MODEL_UNDER_TEST();
    const StreamFiles& f = stream_files();
    // Variants up to 8 KiB are cached: the 1 MiB page is compressed while it is sent.
    const std::vector<std::string> flags = {
        "--root", f.root, "--compress", "br,zstd,gzip", "--compress-cache", "65536"};
    const std::uint16_t port = shared_server(model, flags).port();
    SECTION("gzip decodes to the file; the connection serves the next request") {
        RawClient c(port);
        // Brotli and zstd are offered first but never streamed: gzip is what a browser gets.
        for (int round = 0; round < 2; ++round) {
            const http::Coding coding = http::Coding::gzip;
            const std::string name(http::coding_name(coding));
            REQUIRE(c.send(request("GET", "Accept-Encoding: gzip, deflate, br, zstd\r\n")));
            HttpResponse r;
            REQUIRE(c.read_head(r) == ReadResult::ok);
            CHECK(r.status == 200);
            CHECK(r.get("transfer-encoding") == "chunked");
            CHECK_FALSE(r.has("content-length"));
            CHECK(r.get("content-encoding") == name);
            CHECK(r.has_token("vary", "accept-encoding"));
            CHECK(r.get("etag").ends_with("-" + name + "\""));
            int chunks = 0;
            const std::string body = read_chunked(c, chunks);
            CHECK(chunks > 1);
            CHECK(first_mismatch(test::decode(coding, body), f.page) == no_mismatch);
        }
        const HttpResponse next = roundtrip(c, get_request("/page.html"));
        CHECK(next.status == 200);
        CHECK(next.body == web_root().page_body);
    }
    SECTION("HEAD and 304 agree with GET and carry no body") {
        RawClient c(port);
        const HttpResponse head = roundtrip(c, request("HEAD", "Accept-Encoding: gzip\r\n"), true);
        CHECK(head.get("transfer-encoding") == "chunked");
        CHECK(head.get("content-encoding") == "gzip");
        const std::string etag = head.get("etag");
        CHECK(etag.ends_with("-gzip\""));
        const HttpResponse not_modified = roundtrip(
            c, request("GET", "Accept-Encoding: gzip\r\nIf-None-Match: " + etag + "\r\n"));
        CHECK(not_modified.status == 304);
        CHECK_FALSE(not_modified.has("transfer-encoding"));
        // The connection is still in step: a third request gets its own answer.
        CHECK(roundtrip(c, get_request("/page.html")).body == web_root().page_body);
    }
    SECTION("HTTP/1.0 gets the compressed body until close") {
        RawClient c(port);
        REQUIRE(
            c.send("GET /big.html HTTP/1.0\r\nConnection: keep-alive\r\n"
                   "Accept-Encoding: gzip\r\n\r\n"));
        HttpResponse r;
        REQUIRE(c.read_response(r) == ReadResult::ok);  // no length: read to the close
        CHECK(r.status == 200);
        CHECK_FALSE(r.has("transfer-encoding"));
        CHECK(r.has_token("connection", "close"));
        CHECK(first_mismatch(test::decode(http::Coding::gzip, r.body), f.page) == no_mismatch);
    }
    CLEAN_SHUTDOWN_SECTION(flags)
}
