// Files that change while a response is on its way, over every model. The response's head was
// built from one fstat (Content-Length, ETag) and its body leaves with sendfile from the
// descriptor opened then, so:
// - truncated: sendfile stops at the new end (it returns 0 there) and the connection is
//   closed: the client gets a short body, then EOF - never bytes past the new end, never
//   padding, never a hang until a timeout;
// - deleted, or replaced by a rename: the open descriptor still names the old inode, so the
//   transfer completes with the old bytes, whole and consistent; a large file's descriptor is
//   kept open for a second (--file-cache-valid), so the requests of that second still get the
//   old version, whole, and the ones after it see the change;
// - a small file (<= 64 KiB) is served from the in-memory cache, re-checked after 1 s: a
//   response is always one whole version, old or new, and the new one is served within about
//   a second.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "fault_tests.hpp"
#include "suite.hpp"

using namespace ftest;
using itest::HttpResponse;
using itest::RawClient;
using itest::ReadResult;

namespace {

constexpr std::size_t read_before_change = 64 * 1024;

// A client in the middle of /big.bin: head read, then the first read_before_change bytes.
// The small receive window keeps what the server has sent ahead of the client to its send
// buffer (4 MiB at most: tcp_wmem) plus this window.
struct Download {
    RawClient client;
    HttpResponse head;
    std::string body;

    explicit Download(std::uint16_t port) : client(port, itest::ClientOptions{.rcvbuf = 16384}) {
        // Connection: close, so the loop model is free for the next request once it is done.
        REQUIRE(client.send(itest::get_request("/big.bin", "Connection: close\r\n")));
        REQUIRE(client.read_head(head) == ReadResult::ok);
        REQUIRE(head.status == 200);
        REQUIRE(head.get("content-length") == std::to_string(mtest::BigRoot::big_size));
        REQUIRE(client.read_exact(body, read_before_change) == ReadResult::ok);
    }

    // Reads until the server closes (or the rest of the promised body, if it keeps its word).
    void read_rest() {
        const std::size_t want = mtest::BigRoot::big_size - body.size();
        const ReadResult r = client.read_exact(body, want, 10s);
        INFO("read_exact: " << itest::to_string(r) << " " << client.error());
        CHECK((r == ReadResult::ok || r == ReadResult::closed));
    }
};

}  // namespace

TEST_CASE("faults: a file changed during its transfer", "[faults][files]") {
    MODEL_UNDER_TEST();
    const mtest::BigRoot root;
    const std::string big = root.path() + "/big.bin";
    itest::ServerProcess server(model, root.path(), {"--workers", "2"});
    const std::string& original = root.big_body();

    SECTION("truncated beyond what was sent: exactly the bytes up to the new end, then EOF") {
        // 8 MiB is past anything sent so far (64 KiB read + 16 KiB window + a 4 MiB send buffer).
        constexpr std::size_t new_size = 8u << 20;
        Download d(server.port());
        REQUIRE(::truncate(big.c_str(), new_size) == 0);
        d.read_rest();
        CHECK(d.body.size() == new_size);
        CHECK(itest::first_mismatch(d.body, std::string_view(original).substr(0, new_size)) ==
              itest::no_mismatch);
        CHECK(d.client.wait_closed(5s));  // closed: the promised length cannot be honoured
        const HttpResponse now = get(server.port(), "/big.bin");
        CHECK(now.status == 200);
        CHECK(now.body.size() == new_size);
    }
    SECTION("truncated to nothing: a short body of the original bytes, then EOF") {
        Download d(server.port());
        REQUIRE(::truncate(big.c_str(), 0) == 0);
        d.read_rest();
        INFO("received " << d.body.size() << " of " << original.size());
        CHECK(d.body.size() < original.size());
        CHECK(itest::first_mismatch(d.body, std::string_view(original).substr(0, d.body.size())) ==
              itest::no_mismatch);
        CHECK(d.client.wait_closed(5s));
    }
    SECTION("deleted: the transfer completes with the old bytes; then 404 within a second") {
        Download d(server.port());
        REQUIRE(::unlink(big.c_str()) == 0);
        d.read_rest();
        CHECK(itest::first_mismatch(d.body, original) == itest::no_mismatch);
        CHECK(mtest::eventually([&] { return get(server.port(), "/big.bin").status == 404; }, 5s));
    }
    SECTION("replaced by a rename: the old bytes to the end; then the new within a second") {
        const std::string replacement = other_pattern(2u << 20);
        Download d(server.port());
        replace_file(big, replacement);
        d.read_rest();
        CHECK(itest::first_mismatch(d.body, original) == itest::no_mismatch);
        // Each answer is one whole version (checked against its Content-Length by the read),
        // the new one within the cache's second.
        CHECK(mtest::eventually(
            [&] {
                const HttpResponse now = get(server.port(), "/big.bin");
                return now.status == 200 &&
                       itest::first_mismatch(now.body, replacement) == itest::no_mismatch;
            },
            5s));
    }
    SECTION("a cached small file replaced, then truncated: always one whole version") {
        const std::string index = root.path() + "/index.html";
        REQUIRE(get(server.port(), "/index.html").body == "hello\n");  // now cached
        replace_file(index, "a new version\n");
        // Until the cache re-checks (1 s), the old version; never a mix. The read checked the
        // body against Content-Length.
        CHECK(mtest::eventually(
            [&] {
                const std::string body = get(server.port(), "/index.html").body;
                REQUIRE((body == "hello\n" || body == "a new version\n"));
                return body == "a new version\n";
            },
            5s));
        // Every process has its own cache (prefork's workers), so within a second of a change
        // any earlier version may still come back, but only ever whole.
        REQUIRE(::truncate(index.c_str(), 0) == 0);
        CHECK(mtest::eventually(
            [&] {
                const HttpResponse r = get(server.port(), "/index.html");
                REQUIRE(r.status == 200);
                REQUIRE((r.body == "hello\n" || r.body == "a new version\n" || r.body.empty()));
                return r.body.empty();
            },
            5s));
    }
    INFO(server.output_tail());
    CHECK(server.running());
    CHECK(get(server.port(), "/").status == 200);
    const itest::Exit e = server.stop(10s);
    INFO(e.describe());
    CHECK(e.clean());
}
