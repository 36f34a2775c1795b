// serve_blocking: the driver of loop, fork, thread and prefork, over a socketpair with a
// Context built the way main() builds it (a Runtime from a Config, an access log, Stats).
// A request in and a response out, pipelining, a large body through a full socket, a
// framing error, the header timeout bounding a head that never completes, and a stop.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <sys/socket.h>

#include <chrono>
#include <new>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "server/conn/blocking_driver.hpp"
#include "server/conn/conn_state.hpp"
#include "server/proc/children.hpp"
#include "unit/http/connection_driver.hpp"
#include "unit/server/served_child.hpp"

using namespace std::chrono_literals;

namespace {

const std::string big_body(1 << 20, 'z');  // several socketpair buffers

struct Server : test::LoopbackSite {  // its listener is never accepted on
    explicit Server(std::chrono::milliseconds header_timeout = 10s,
                    std::chrono::milliseconds shutdown_timeout = 10s)
        : LoopbackSite([=](config::Config& cfg) {
              cfg.header_timeout = header_timeout;
              cfg.shutdown_timeout = shutdown_timeout;
          }) {
        tmp.file("root/big.bin", big_body);
    }

    // Serves one connection to its end on this thread; the client's bytes must be written
    // (and its side half-closed if needed) before, since nothing else runs meanwhile.
    std::uint64_t serve(test::SocketPair& s) const {
        return server::serve_blocking({std::move(s.near), "127.0.0.1:9"}, *ctx).requests;
    }
};

using test::get_hello;

}  // namespace

TEST_CASE("serve_blocking: a request in, a response out, until the client closes",
          "[blocking_driver]") {
    Server srv;
    auto s = test::socket_pair();
    test::write_all(s.far.get(), get_hello);
    REQUIRE(::shutdown(s.far.get(), SHUT_WR) == 0);
    CHECK(srv.serve(s) == 1);
    const std::string got = test::read_until_eof(s.far.get());
    CHECK(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(got.substr(got.size() - 6) == "hello\n");
    CHECK(srv.stats->requests_by_class[2].load() == 1);
    CHECK(srv.stats->connections_total.load() == 1);
    CHECK(srv.stats->connections_active.load() == 0);  // counted only while served
}

TEST_CASE("serve_blocking: pipelined requests answered in order, Connection: close ends it",
          "[blocking_driver]") {
    Server srv;
    auto s = test::socket_pair();
    test::write_all(
        s.far.get(),
        std::string(get_hello) + "GET /missing HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    CHECK(srv.serve(s) == 2);
    const std::string got = test::read_until_eof(s.far.get());
    CHECK(test::count(got, "HTTP/1.1 ") == 2);
    const auto ok = got.find("HTTP/1.1 200 OK"), missing = got.find("HTTP/1.1 404");
    REQUIRE(missing != std::string::npos);
    CHECK(ok < missing);
}

TEST_CASE("serve_blocking: a body larger than the socket waits for the reader, whole",
          "[blocking_driver]") {
    Server srv;
    auto s = test::socket_pair();
    test::write_all(s.far.get(), "GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    std::uint64_t served = 0;
    std::thread driver([&] { served = srv.serve(s); });
    const std::string got = test::read_until_eof(s.far.get(), 20s);
    driver.join();
    CHECK(served == 1);
    const auto body_at = got.find("\r\n\r\n");
    REQUIRE(body_at != std::string::npos);
    CHECK(got.size() - body_at - 4 == big_body.size());
    CHECK(got.compare(body_at + 4, std::string::npos, big_body) == 0);
    CHECK(srv.stats->bytes_sent.load() == big_body.size());
}

TEST_CASE("serve_blocking: a framing error is answered 400, then the connection closes",
          "[blocking_driver]") {
    Server srv;
    auto s = test::socket_pair();
    test::write_all(s.far.get(),
                    "GET /hello.txt HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n"
                    "Content-Length: 2\r\n\r\nxx and more bytes the server will not read");
    CHECK(srv.serve(s) == 1);  // the 400 is an answer; it returns though the client never closed
    const std::string got = test::read_until_eof(s.far.get());
    CHECK(got.rfind("HTTP/1.1 400 ", 0) == 0);
    CHECK(test::count(got, "HTTP/1.1 ") == 1);
}

TEST_CASE("serve_blocking: the header timeout bounds a head that never completes: 408",
          "[blocking_driver]") {
    Server srv(150ms);
    auto s = test::socket_pair();
    test::write_all(s.far.get(), "GET /hello.txt HTTP/1.1\r\nHo");
    const auto t0 = std::chrono::steady_clock::now();
    srv.serve(s);
    const auto took = std::chrono::steady_clock::now() - t0;
    CHECK(took >= 140ms);  // lower bound: it waited for the deadline, not less
    CHECK(took < 5s);      // and ended by itself, long before anything else would end it
    const std::string got = test::read_until_eof(s.far.get());
    CHECK(got.rfind("HTTP/1.1 408 ", 0) == 0);
    CHECK(got.find("Connection: close") != std::string::npos);
}

TEST_CASE("serve_blocking: a stop closes a kept-alive connection once it is idle",
          "[blocking_driver][children]") {
    // In a child (as fork and prefork serve), stopped by SIGTERM through its private stop
    // fd: requesting this process's stop would stop every later test.
    const server::Shutdown& stop = test::installed_stop();
    Server srv;
    auto s = test::socket_pair();
    test::write_all(s.far.get(), get_hello);
    server::Children children;
    const pid_t pid = children.spawn(stop, [&] { return static_cast<int>(srv.serve(s)); });
    REQUIRE(pid > 0);
    s.near.reset();  // the child's copy is the connection now
    const std::string got = test::read_until(s.far.get(), "hello\n", 10s);  // kept alive
    CHECK(got.find("Connection: close") == std::string::npos);
    children.signal(pid, SIGTERM);
    CHECK(test::read_until_eof(s.far.get(), 10s).empty());  // closed, nothing more said
    int status = -1;
    REQUIRE(children.wait_all(std::chrono::steady_clock::now() + 10s,
                              [&](pid_t, int st) { status = st; }) == 0);
    CHECK(server::describe_wait_status(status) == "exit status 1");  // one request served
}

namespace {

// A child serving one GET of big.bin to a client that reads nothing past the head, with
// `drain`; it exits 3 when serve_blocking reports the response cut, 0 when not. The client's
// end is `far`; the head has arrived when this returns.
pid_t serve_stalled_download(server::Children& children, const Server& srv, test::SocketPair& s,
                             server::Drain drain) {
    test::write_all(s.far.get(), "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
    const pid_t pid = children.spawn(test::installed_stop(), [&] {
        return server::serve_blocking({std::move(s.near), "127.0.0.1:9"}, *srv.ctx, drain).cut ? 3
                                                                                               : 0;
    });
    REQUIRE(pid > 0);
    s.near.reset();
    // A few bytes only: the rest must stay unread (read_until would drain the socket).
    REQUIRE(test::poll_for(s.far.get(), POLLIN, 10s));
    char head[15];
    REQUIRE(::recv(s.far.get(), head, sizeof head, 0) == static_cast<ssize_t>(sizeof head));
    CHECK(std::string_view(head, sizeof head) == "HTTP/1.1 200 OK");
    return pid;
}

std::string wait_status(server::Children& children) {
    std::string how = "still running";
    children.wait_all(std::chrono::steady_clock::now() + 10s,
                      [&](pid_t, int st) { how = server::describe_wait_status(st); });
    return how;
}

}  // namespace

TEST_CASE("serve_blocking: a stop lets a response finish; the cut order aborts it",
          "[blocking_driver][children]") {
    // As fork and prefork serve: the master's cut order (SIGUSR2) is the child's cut_fd.
    const server::Shutdown& stop = test::installed_stop();
    Server srv;
    auto s = test::socket_pair();
    server::Children children;
    const pid_t pid = serve_stalled_download(children, srv, s, {stop.urgent_fd(), false});
    children.signal(pid, SIGTERM);
    // The stop alone does not end a response in flight (and no deadline of its own here).
    CHECK(children.wait_all(std::chrono::steady_clock::now() + 200ms, [](pid_t, int) {}) == 1);
    children.signal(pid, SIGUSR2);
    CHECK(wait_status(children) == "exit status 3");
    CHECK_FALSE(stop.requested());  // only the child's own pipes were written
}

TEST_CASE("serve_blocking: with its own deadline, a stopped response is cut at the timeout",
          "[blocking_driver][children]") {
    // As the loop model serves: nobody else bounds the drain. The send timeout (60 s) and the
    // 10 s bound below are far away; only the 100 ms shutdown timeout can end it this early.
    const server::Shutdown& stop = test::installed_stop();
    Server srv(10s, 100ms);
    auto s = test::socket_pair();
    server::Children children;
    const pid_t pid = serve_stalled_download(children, srv, s, {stop.urgent_fd(), true});
    children.signal(pid, SIGTERM);
    CHECK(wait_status(children) == "exit status 3");
}

// The one socket-tuning policy of every driver: TCP_NODELAY before the second write, never
// for a connection that answers in one.
TEST_CASE("ConnState::before_write sets TCP_NODELAY before the second write only", "[conn]") {
    const auto nodelay = [](int fd) {
        int on = 0;
        socklen_t len = sizeof on;
        REQUIRE(::getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, &len) == 0);
        return on != 0;
    };
    Server srv;
    const auto client = test::connect_loopback(test::local_port(srv.listeners[0].fd()));
    poly::UniqueFd accepted(::accept4(srv.listeners[0].fd(), nullptr, nullptr, SOCK_CLOEXEC));
    REQUIRE(accepted);
    server::ConnState c(std::move(accepted), "127.0.0.1:9", server::ListenerKind::plain, *srv.ctx,
                        std::chrono::steady_clock::now());
    CHECK_FALSE(nodelay(c.fd.get()));
    c.before_write();
    CHECK_FALSE(nodelay(c.fd.get()));  // a first write never waits for Nagle
    c.before_write();
    CHECK(nodelay(c.fd.get()));
    c.before_write();
    CHECK(nodelay(c.fd.get()));
}
