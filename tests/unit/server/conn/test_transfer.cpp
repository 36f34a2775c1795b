// receive_into / send_from: one syscall each between a socket and an http::Connection, over
// non-blocking socketpairs (as every driver uses them): bytes in, bytes and sendfile out,
// would_block when the kernel has nothing or no room, a closed peer, a file cut short.
#include <signal.h>
#include <unistd.h>

#include <string>

#include <catch2/catch.hpp>

#include "http/connection.hpp"
#include "http/site/site_table.hpp"
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
    http::SiteTable handler{config(tmp)};
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

// A Connection on the near end of a socketpair; the test plays the client on the far end.
struct Wire {
    Site site;
    http::Connection http{site.handler, site.limits};
    server::TlsCounters counters;
    server::Session conn{http, nullptr, counters};
    test::SocketPair s = test::socket_pair();

    // The client sends a GET for `path`; one receive_into takes all of it in, as a driver would.
    void request(std::string_view path) {
        const std::string req = "GET " + std::string(path) + " HTTP/1.1\r\nHost: x\r\n\r\n";
        test::write_all(s.far.get(), req);
        const server::IoResult r = server::receive_into(s.near.get(), conn);
        REQUIRE(r.status == IoStatus::progress);
        CHECK(r.bytes == req.size());
    }

    // send_from until nothing is queued, reading the far side whenever the socket is full.
    // Returns what the client received.
    std::string send_all(int* would_blocks) {
        std::string got;
        while (conn.want() == http::Want::write) {
            const server::IoResult r = server::send_from(s.near.get(), conn);
            REQUIRE(r.status != IoStatus::error);
            REQUIRE(r.status != IoStatus::closed);
            if (r.status == IoStatus::would_block) {
                CHECK(r.bytes == 0);
                ++*would_blocks;
                REQUIRE(test::poll_for(s.far.get(), POLLIN, std::chrono::seconds(5)));
                got += test::read_available(s.far.get());
            }
        }
        return got + test::read_available(s.far.get());
    }
};

}  // namespace

TEST_CASE("receive_into: would_block with nothing queued, then the bytes the peer sent",
          "[transfer]") {
    Wire w;
    const server::IoResult idle = server::receive_into(w.s.near.get(), w.conn);
    CHECK(idle.status == IoStatus::would_block);
    CHECK(idle.bytes == 0);
    CHECK(w.conn.want() == http::Want::read);
    w.request("/small.txt");
    CHECK(w.conn.want() == http::Want::write);
}

TEST_CASE("receive_into: a peer that closed is reported closed, and the connection ends",
          "[transfer]") {
    Wire w;
    w.s.far.reset();
    const server::IoResult r = server::receive_into(w.s.near.get(), w.conn);
    CHECK(r.status == IoStatus::closed);
    CHECK(r.bytes == 0);
    CHECK(w.conn.want() == http::Want::close);
}

TEST_CASE("send_from: head and a sendfile body arrive whole, across a full socket", "[transfer]") {
    Wire w;
    // A small send buffer, so the socket fills long before the body ends on any kernel.
    const int sndbuf = 16 * 1024;
    REQUIRE(::setsockopt(w.s.near.get(), SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf) == 0);
    w.request("/big.bin");
    int would_blocks = 0;
    const std::string got = w.send_all(&would_blocks);
    CHECK(would_blocks > 0);  // the full socket was met and waited out
    REQUIRE(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(got.find("\r\nContent-Length: 262144\r\n") != std::string::npos);
    const auto body_at = got.find("\r\n\r\n");
    REQUIRE(body_at != std::string::npos);
    CHECK(got.substr(body_at + 4) == big_body);
    CHECK(w.conn.want() == http::Want::read);  // kept alive, ready for the next request

    const server::IoResult nothing = server::send_from(w.s.near.get(), w.conn);
    CHECK(nothing.status == IoStatus::progress);  // nothing queued: no syscall, no error
    CHECK(nothing.bytes == 0);
}

TEST_CASE("send_from: a peer that is gone is an error (EPIPE), never a SIGPIPE", "[transfer]") {
    Wire w;
    w.request("/small.txt");
    w.s.far.reset();
    // SIGPIPE blocked, so one raised here stays pending where the test can see it (whatever
    // its disposition: a blocked signal is never discarded as ignored).
    sigset_t pipe_only, old;
    sigemptyset(&pipe_only);
    sigaddset(&pipe_only, SIGPIPE);
    REQUIRE(::pthread_sigmask(SIG_BLOCK, &pipe_only, &old) == 0);
    const server::IoResult r = server::send_from(w.s.near.get(), w.conn);
    sigset_t pending;
    sigpending(&pending);
    const bool raised = sigismember(&pending, SIGPIPE) == 1;
    const timespec no_wait{0, 0};
    if (raised) ::sigtimedwait(&pipe_only, nullptr, &no_wait);  // consume it before unblocking
    ::pthread_sigmask(SIG_SETMASK, &old, nullptr);
    CHECK(r.status == IoStatus::error);
    CHECK(r.error == EPIPE);
    CHECK_FALSE(raised);
}

TEST_CASE("send_from: a file truncated after its head left is an error (EIO)", "[transfer]") {
    Wire w;
    w.request("/big.bin");
    // The head goes out first (bytes); the body is a file piece for sendfile.
    REQUIRE_FALSE(w.conn.next_output().is_file());
    REQUIRE(server::send_from(w.s.near.get(), w.conn).status == IoStatus::progress);
    REQUIRE(w.conn.next_output().is_file());
    REQUIRE(::truncate(w.site.tmp.path("root/big.bin").c_str(), 0) == 0);
    const server::IoResult r = server::send_from(w.s.near.get(), w.conn);
    CHECK(r.status == IoStatus::error);
    CHECK(r.error == EIO);  // Content-Length can no longer be honoured: the caller closes
}

TEST_CASE("send_from: a cached body past the copy limit leaves with its head in one sendmsg",
          "[transfer]") {
    test::TempRoot tmp;
    const std::string body = big_body.substr(0, 10000);  // in the memory cache (16 KiB)
    tmp.file("root/mid.bin", body);
    http::StaticConfig cfg;
    cfg.root = tmp.root();
    cfg.mime_types_file = "";
    const http::SiteTable sites(cfg);
    const http::ConnectionLimits limits;
    http::Connection http(sites, limits);
    server::TlsCounters counters;
    server::Session conn(http, nullptr, counters);
    const test::SocketPair s = test::socket_pair();
    test::write_all(s.far.get(), "GET /mid.bin HTTP/1.1\r\nHost: x\r\n\r\n");
    REQUIRE(server::receive_into(s.near.get(), conn).status == IoStatus::progress);
    const http::Output out = conn.next_output();
    REQUIRE(out.tail.size() == body.size());  // the second span: not copied behind the head
    const server::IoResult r = server::send_from(s.near.get(), conn);
    REQUIRE(r.status == IoStatus::progress);
    CHECK(r.bytes == out.bytes.size() + body.size());  // both spans in the one call
    CHECK(conn.want() == http::Want::read);
    const std::string got = test::read_available(s.far.get());
    const auto body_at = got.find("\r\n\r\n");
    REQUIRE(body_at != std::string::npos);
    CHECK(got.substr(body_at + 4) == body);
}
