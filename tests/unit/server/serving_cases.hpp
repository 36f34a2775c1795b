// What every event loop must do over a real loopback socket, written once and run by the tests
// of each loop (test_reactor.cpp with both epoll triggers, test_uring_loop.cpp,
// test_coro_server.cpp): one request answered, pipelined requests answered in order,
// Connection: close, a stop while a connection idles, a busy client kept past the keep-alive
// timeout, --max-connections holding back a second client, and two listeners served together
// (the cap holding both). Each check serves in a child (served_child.hpp) and reports through
// Catch; bounds are generous (seconds) and only bound a wait, except the one check that
// something does NOT happen, which waits 300 ms.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <thread>

#include <catch2/catch.hpp>

#include "unit/http/connection_driver.hpp"
#include "unit/server/served_child.hpp"

namespace test {

// hello.txt's response on a kept-alive connection, whole.
inline std::string read_hello(int fd) { return read_until(fd, "hello\n"); }

inline void check_one_get(const Serve& serve) {
    ServedChild child(serve);
    const auto c = child.connect();
    write_all(c.get(), get_hello);
    const std::string got = read_hello(c.get());
    CHECK(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(got.find("Content-Length: 6\r\n") != std::string::npos);
    CHECK(got.find("Connection: close") == std::string::npos);  // kept alive
    CHECK(count(got, "HTTP/1.1 ") == 1);
    // Still open and served: a second request on it is answered too.
    write_all(c.get(), get_hello);
    CHECK(read_hello(c.get()).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
}

inline void check_pipelined_in_order(const Serve& serve) {
    constexpr int n = 20;
    ServedChild child(serve);
    std::string requests;
    for (int i = 0; i < n; ++i) {
        const std::string name = "n" + std::to_string(i) + ".txt";
        child.files().file("root/" + name, "body " + std::to_string(i) + ".\n");
        requests += "GET /" + name + " HTTP/1.1\r\nHost: x\r\n\r\n";
    }
    const auto c = child.connect();
    write_all(c.get(), requests);  // one write: the requests arrive together
    const std::string got = read_until(c.get(), "body " + std::to_string(n - 1) + ".\n");
    CHECK(count(got, "HTTP/1.1 200 OK\r\n") == n);
    std::size_t last = 0;
    for (int i = 0; i < n; ++i) {
        INFO("response " << i);
        const std::size_t at = got.find("body " + std::to_string(i) + ".\n");
        REQUIRE(at != std::string::npos);
        CHECK(at > last);
        last = at;
    }
}

// A client busy for longer than --keepalive-timeout, one request every 100 ms, is never cut:
// the keep-alive deadline restarts with every response, also when one loop turn reads the
// request, answers it and ends idle as it began. (Loops once judged the deadline only by the
// phase at the end of a turn and closed such a client at the timeout: read_until then throws.)
// The pause is far below the timeout, so only a stall of the test itself could fail it.
inline void check_busy_keepalive_outlives_timeout(const Serve& serve) {
    using namespace std::chrono_literals;
    ServedChild child(serve, [](config::Config& cfg) { cfg.keepalive_timeout = 1s; });
    const auto c = child.connect();
    const auto until = std::chrono::steady_clock::now() + 2500ms;
    int answered = 0;
    while (std::chrono::steady_clock::now() < until) {
        write_all(c.get(), get_hello);
        CHECK(read_hello(c.get()).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
        ++answered;
        std::this_thread::sleep_for(100ms);
    }
    CHECK(answered >= 10);
}

inline void check_connection_close(const Serve& serve) {
    ServedChild child(serve);
    const auto c = child.connect();
    write_all(c.get(), "GET /hello.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    // The client never half-closes: the EOF is the server's doing.
    const std::string got = read_until_eof(c.get());
    CHECK(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(got.find("Connection: close\r\n") != std::string::npos);
    CHECK(count(got, "HTTP/1.1 ") == 1);
    CHECK(got.substr(got.size() - 6) == "hello\n");
}

inline void check_stop_closes_idle(const Serve& serve) {
    ServedChild child(serve);
    const auto c = child.connect();
    write_all(c.get(), get_hello);
    read_hello(c.get());  // answered; now idle and kept alive
    // The drain allows 60 s, the wait 10 s: the child ends in time only if it closes the idle
    // connection at once rather than waiting for it.
    CHECK(child.stop() == "exit status 0");
    CHECK(read_until_eof(c.get()).empty());  // closed, nothing more said
}

inline void check_max_connections(const Serve& serve) {
    ServedChild child(serve, [](config::Config& cfg) { cfg.max_connections = 1; });
    auto first = child.connect();
    write_all(first.get(), get_hello);
    read_hello(first.get());              // the first holds the only slot, kept alive
    const auto second = child.connect();  // the handshake completes in the backlog
    write_all(second.get(), get_hello);
    CHECK_FALSE(poll_for(second.get(), POLLIN, std::chrono::milliseconds(300)));
    first.reset();  // frees the slot
    const std::string got = read_hello(second.get());
    CHECK(got.rfind("HTTP/1.1 200 OK\r\n", 0) == 0);  // served, not refused with a 503
}

// Two listeners: a client of each is answered, on connections open at the same time.
inline void check_two_listeners(const Serve& serve) {
    ServedChild child(serve, {}, 2);
    const auto a = child.connect(0);
    const auto b = child.connect(1);
    write_all(b.get(), get_hello);
    write_all(a.get(), get_hello);
    CHECK(read_hello(b.get()).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
    CHECK(read_hello(a.get()).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
}

// The cap is the server's: a client of the second listener waits while one of the first
// holds the only slot.
inline void check_cap_holds_every_listener(const Serve& serve) {
    ServedChild child(
        serve, [](config::Config& cfg) { cfg.max_connections = 1; }, 2);
    auto first = child.connect(0);
    write_all(first.get(), get_hello);
    read_hello(first.get());
    const auto second = child.connect(1);
    write_all(second.get(), get_hello);
    CHECK_FALSE(poll_for(second.get(), POLLIN, std::chrono::milliseconds(300)));
    first.reset();
    CHECK(read_hello(second.get()).rfind("HTTP/1.1 200 OK\r\n", 0) == 0);
}

}  // namespace test
