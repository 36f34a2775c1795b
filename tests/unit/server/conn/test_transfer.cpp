// receive_into / send_from: one syscall each between a socket and an http::Connection, over
// non-blocking socketpairs (as every driver uses them): bytes in, bytes and sendfile out,
// would_block when the kernel has nothing or no room, a closed peer, a file cut short.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <string>

#include "http/connection.hpp"
#include "http/static/static_handler.hpp"
#include "server/conn/transfer.hpp"
#include "unit/http/temp_root.hpp"
#include "unit/server/sockets.hpp"

using server::IoStatus;

namespace {

// 256 KiB: past the handler's memory cache, so the body leaves by sendfile, in several
// steps through a small send buffer.
const std::string big_body = [] {
    std::string s(256 * 1024, '\0');
    for (std::size_t i = 0; i < s.size(); ++i) s[i] = static_cast<char>('a' + i % 26);
    return s;
}();

struct Site {
    test::TempRoot tmp;
    http::StaticHandler handler{config(tmp)};
    http::ConnectionLimits limits;

    static http::StaticConfig config(const test::TempRoot& t) {
        t.file("root/small.txt", "hello\n");
        t.file("root/big.bin", big_body);
        http::StaticConfig cfg;
        cfg.root = t.root();
        cfg.mime_types_file = "";
        cfg.cache_max_file_size = 0;  // every body by sendfile
        return cfg;
    }
};

// Feeds the request through the socket, as a driver would.
void receive_request(int fd, http::Connection& c, std::string_view request) {
    const server::IoResult r = server::receive_into(fd, c);
    REQUIRE(r.status == IoStatus::progress);
    CHECK(r.bytes == request.size());
}

// send_from until the connection has nothing queued, reading the far side whenever the
// socket is full. Returns what the far side received.
std::string send_all(int near, int far, http::Connection& c, int* would_blocks = nullptr) {
    std::string got;
    while (c.want() == http::Want::write) {
        const server::IoResult r = server::send_from(near, c);
        REQUIRE(r.status != IoStatus::error);
        REQUIRE(r.status != IoStatus::closed);
        if (r.status == IoStatus::would_block) {
            CHECK(r.bytes == 0);
            if (would_blocks != nullptr) ++*would_blocks;
            REQUIRE(test::poll_for(far, POLLIN, std::chrono::seconds(5)));
            got += test::read_available(far);
        }
    }
    return got + test::read_available(far);
}

}  // namespace

TEST_CASE("receive_into: would_block with nothing queued, then the bytes the peer sent",
          "[transfer]") {
    Site site;
    http::Connection c(site.handler, site.limits);
    auto s = test::socket_pair();
    const server::IoResult idle = server::receive_into(s.near.get(), c);
    CHECK(idle.status == IoStatus::would_block);
    CHECK(idle.bytes == 0);
    CHECK(c.want() == http::Want::read);

    const std::string req = "GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n";
    test::write_all(s.far.get(), req);
    receive_request(s.near.get(), c, req);
    CHECK(c.want() == http::Want::write);
}

TEST_CASE("receive_into: a peer that closed is reported closed, and the connection ends",
          "[transfer]") {
    Site site;
    http::Connection c(site.handler, site.limits);
    auto s = test::socket_pair();
    s.far.reset();
    const server::IoResult r = server::receive_into(s.near.get(), c);
    CHECK(r.status == IoStatus::closed);
    CHECK(r.bytes == 0);
    CHECK(c.want() == http::Want::close);
}

TEST_CASE("send_from: head and a sendfile body arrive whole, across a full socket",
          "[transfer]") {
    Site site;
    http::Connection c(site.handler, site.limits);
    auto s = test::socket_pair();
    // A small send buffer, so the socket fills long before the body ends on any kernel.
    const int sndbuf = 16 * 1024;
    REQUIRE(::setsockopt(s.near.get(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) == 0);
    const std::string req = "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n";
    test::write_all(s.far.get(), req);
    receive_request(s.near.get(), c, req);
    int would_blocks = 0;
    const std::string got = send_all(s.near.get(), s.far.get(), c, &would_blocks);
    CHECK(would_blocks > 0);  // the full socket was met and waited out
    REQUIRE(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(got.find("\r\nContent-Length: 262144\r\n") != std::string::npos);
    const auto body_at = got.find("\r\n\r\n");
    REQUIRE(body_at != std::string::npos);
    CHECK(got.substr(body_at + 4) == big_body);
    CHECK(c.want() == http::Want::read);  // kept alive, ready for the next request

    const server::IoResult nothing = server::send_from(s.near.get(), c);
    CHECK(nothing.status == IoStatus::progress);  // nothing queued: no syscall, no error
    CHECK(nothing.bytes == 0);
}

TEST_CASE("send_from: a peer that is gone is an error (EPIPE), never a SIGPIPE", "[transfer]") {
    Site site;
    http::Connection c(site.handler, site.limits);
    auto s = test::socket_pair();
    const std::string req = "GET /small.txt HTTP/1.1\r\nHost: x\r\n\r\n";
    test::write_all(s.far.get(), req);
    receive_request(s.near.get(), c, req);
    s.far.reset();
    const server::IoResult r = server::send_from(s.near.get(), c);
    CHECK(r.status == IoStatus::error);
    CHECK(r.error == EPIPE);
}

TEST_CASE("send_from: a file truncated after its head left is an error (EIO)", "[transfer]") {
    Site site;
    http::Connection c(site.handler, site.limits);
    auto s = test::socket_pair();
    const std::string req = "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n";
    test::write_all(s.far.get(), req);
    receive_request(s.near.get(), c, req);
    // The head goes out first (bytes); the body is a file piece for sendfile.
    REQUIRE_FALSE(c.next_output().is_file());
    const server::IoResult head = server::send_from(s.near.get(), c);
    REQUIRE(head.status == IoStatus::progress);
    REQUIRE(c.next_output().is_file());
    REQUIRE(::truncate(site.tmp.path("root/big.bin").c_str(), 0) == 0);
    const server::IoResult r = server::send_from(s.near.get(), c);
    CHECK(r.status == IoStatus::error);
    CHECK(r.error == EIO);  // Content-Length can no longer be honoured: the caller closes
}
