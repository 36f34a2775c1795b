// serve_blocking's Hooks (prefork's scoreboard and the saturation rule): the observer hears
// each phase and the close once; a keep-alive connection idle past saturated_keepalive takes
// an offered token and closes, and a token is taken once only.
#include <sys/socket.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "server/conn/blocking_driver.hpp"
#include "unit/server/served_child.hpp"

using namespace std::chrono_literals;

namespace {

struct Recorder final : server::ConnObserver {
    void on_phase(http::Phase p, std::uint64_t requests) noexcept override {
        phases.push_back(p);
        last_requests = requests;
    }
    void on_closing() noexcept override { ++closings; }
    std::vector<http::Phase> phases;
    std::uint64_t last_requests = 0;
    int closings = 0;
};

test::LoopbackSite long_keepalive_site() {
    return test::LoopbackSite([](config::Config& cfg) { cfg.keepalive_timeout = 60s; });
}

// Reads one response's worth (the hello body ends it) from a blocking wait on `fd`.
std::string read_hello(int fd) {
    std::string got;
    while (got.find("hello\n") == std::string::npos) {
        REQUIRE(test::poll_for(fd, POLLIN, 10s));
        char buf[4096];
        const auto n = ::recv(fd, buf, sizeof buf, 0);
        REQUIRE(n > 0);
        got.append(buf, static_cast<std::size_t>(n));
    }
    return got;
}

}  // namespace

TEST_CASE("serve_blocking: the observer hears every phase, then the close once",
          "[blocking_driver][hooks]") {
    test::LoopbackSite site;
    auto s = test::socket_pair();
    test::write_all(s.far.get(), std::string(test::get_hello) + std::string(test::get_hello));
    REQUIRE(::shutdown(s.far.get(), SHUT_WR) == 0);
    Recorder rec;
    const auto served =
        server::serve_blocking({std::move(s.near), "127.0.0.1:9"}, *site.ctx, {}, {&rec, -1});
    CHECK(served.requests == 2);
    REQUIRE_FALSE(rec.phases.empty());
    CHECK(rec.phases.front() == http::Phase::head);
    CHECK(std::count(rec.phases.begin(), rec.phases.end(), http::Phase::write) >= 1);
    for (std::size_t i = 1; i < rec.phases.size(); ++i)
        CHECK(rec.phases[i] != rec.phases[i - 1]);  // changes only
    CHECK(rec.last_requests == 2);
    CHECK(rec.closings == 1);
}

TEST_CASE("serve_blocking: an idle keep-alive connection takes an offered token and closes",
          "[blocking_driver][hooks]") {
    auto site = long_keepalive_site();
    server::SaturationTokens tokens;
    auto a = test::socket_pair();
    auto b = test::socket_pair();
    server::Served served_a, served_b;
    std::thread ta([&] {
        served_a =
            server::serve_blocking({std::move(a.near), "a"}, *site.ctx, {}, {nullptr, tokens.fd()});
    });
    test::write_all(a.far.get(), test::get_hello);
    read_hello(a.far.get());
    tokens.offer(1);  // one client waits: one idle connection gives its worker up
    // With a 60 s keep-alive, only the token closes it: the guard is a hang guard.
    CHECK(test::poll_for(a.far.get(), POLLIN, 10s));
    ta.join();
    CHECK(served_a.requests == 1);
    CHECK_FALSE(test::poll_for(tokens.fd(), POLLIN, 0ms));  // taken
    char byte;
    CHECK(::recv(a.far.get(), &byte, 1, 0) == 0);  // EOF: closed, no 408 or other response

    // The token is gone: a second idle connection is not closed by it.
    std::thread tb([&] {
        served_b =
            server::serve_blocking({std::move(b.near), "b"}, *site.ctx, {}, {nullptr, tokens.fd()});
    });
    test::write_all(b.far.get(), std::string(test::get_hello));
    read_hello(b.far.get());
    CHECK_FALSE(test::poll_for(tokens.fd(), POLLIN, 0ms));
    // It ends when its client closes: the requests are those it answered.
    REQUIRE(::shutdown(b.far.get(), SHUT_WR) == 0);
    tb.join();
    CHECK(served_b.requests == 1);
}

// The rule is for connections idle a second: one that has asked again and again for longer
// than that, pausing only between a response and its next request, is busy and keeps its
// worker while a token waits (its idle time restarts with every response).
TEST_CASE("serve_blocking: a busy keep-alive connection never takes a token",
          "[blocking_driver][hooks]") {
    auto site = long_keepalive_site();
    server::SaturationTokens tokens;
    auto a = test::socket_pair();
    server::Served served;
    std::thread t([&] {
        served =
            server::serve_blocking({std::move(a.near), "a"}, *site.ctx, {}, {nullptr, tokens.fd()});
    });
    tokens.offer(1);
    const auto until = std::chrono::steady_clock::now() + 1500ms;
    int requests = 0;
    while (std::chrono::steady_clock::now() < until) {
        test::write_all(a.far.get(), test::get_hello);
        read_hello(a.far.get());
        ++requests;
        std::this_thread::sleep_for(2ms);  // the server waits for each request: would_block
    }
    CHECK(test::poll_for(tokens.fd(), POLLIN, 0ms));  // still offered: nobody took it
    REQUIRE(::shutdown(a.far.get(), SHUT_WR) == 0);
    t.join();
    CHECK(served.requests == static_cast<std::uint64_t>(requests));
}

TEST_CASE("SaturationTokens: an offer replaces the tokens left, less those just taken",
          "[blocking_driver][hooks]") {
    server::SaturationTokens tokens;
    const auto take = [&] {
        std::uint64_t v = 0;
        return ::read(tokens.fd(), &v, sizeof v) == sizeof v && v == 1;
    };
    CHECK_FALSE(test::poll_for(tokens.fd(), POLLIN, 0ms));
    tokens.offer(3);
    CHECK(take());    // 2 left
    tokens.offer(3);  // 3 waiting, one of them about to be served: 2
    CHECK(take());
    CHECK(take());
    CHECK_FALSE(take());
    tokens.offer(1);  // two taken since: that client is covered
    CHECK_FALSE(take());
    tokens.offer(1);  // nothing taken since: one token
    CHECK(take());
    tokens.offer(2);
    tokens.offer(0);
    CHECK_FALSE(test::poll_for(tokens.fd(), POLLIN, 0ms));
}
