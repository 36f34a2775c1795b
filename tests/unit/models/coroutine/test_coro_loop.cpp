// CoroLoop and its awaiters on socketpairs and a stop pipe: wake-ups that race the wait are
// not lost, writability, deadlines, yield order, the stop broadcast, the drain timeout that
// cancels what is left, and no coroutine frame outliving its loop.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "base/unique_fd.hpp"
#include "models/coroutine/coro_loop.hpp"
#include "models/coroutine/task.hpp"

using namespace std::chrono_literals;
using server::CoroLoop;
using server::Detached;
using server::Task;
using server::Wake;
using server::Watch;

namespace {

struct SocketPair {
    poly::UniqueFd a, b;
    SocketPair() {
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
        a.reset(sv[0]);
        b.reset(sv[1]);
    }
};

struct StopPipe {
    poly::UniqueFd r, w;
    StopPipe() {
        int p[2];
        REQUIRE(::pipe2(p, O_NONBLOCK | O_CLOEXEC) == 0);
        r.reset(p[0]);
        w.reset(p[1]);
    }
    void fire() const { REQUIRE(::write(w.get(), "x", 1) == 1); }
};

CoroLoop::Options with_stop(const StopPipe& p, std::chrono::milliseconds drain = 5s) {
    CoroLoop::Options o;
    o.stop_fd = p.r.get();
    o.drain_timeout = [drain] { return drain; };
    return o;
}

struct Alive {  // counts itself, to see frames destroyed
    static inline int count = 0;
    Alive() noexcept { ++count; }
    ~Alive() { --count; }
    Alive(const Alive&) = delete;
    Alive& operator=(const Alive&) = delete;
};

const char* name(Wake w) {
    switch (w) {
        case Wake::ready: return "ready";
        case Wake::timeout: return "timeout";
        case Wake::stop: return "stop";
        case Wake::error: return "error";
    }
    return "?";
}

Detached racing_reader(CoroLoop& loop, int fd, int peer, std::vector<std::string>& log) {
    Watch w(loop, fd);
    // A lost wake-up shows as a timeout, not a hang.
    w.set_deadline(server::TimerKind::header, loop.now() + 2s);
    char c = 0;
    if (::recv(fd, &c, 1, 0) < 0 && errno == EAGAIN) log.emplace_back("EAGAIN");
    w.drained();
    (void)::send(peer, "x", 1, 0);  // the edge arrives before the coroutine waits
    log.emplace_back(name(co_await w.readable()));
    if (::recv(fd, &c, 1, 0) == 1) log.emplace_back(std::string(1, c));
}

Detached filler(CoroLoop& loop, int fd, std::vector<std::string>& log) {
    Watch w(loop, fd);
    w.set_deadline(server::TimerKind::header, loop.now() + 2s);
    static const std::string chunk(64 * 1024, 'z');
    while (::send(fd, chunk.data(), chunk.size(), MSG_DONTWAIT) > 0) {
    }
    log.emplace_back(name(co_await w.writable()));
}

Detached drainer(CoroLoop& loop, int fd) {
    Watch w(loop, fd);
    (void)co_await w.yield();  // after the filler has blocked
    char buf[64 * 1024];
    while (::recv(fd, buf, sizeof buf, 0) > 0) {
    }
}

Detached wait_once(CoroLoop& loop, int fd, Watch::clock::duration limit, Wake& out) {
    Watch w(loop, fd);
    w.set_deadline(server::TimerKind::header, loop.now() + limit);
    w.drained();
    out = co_await w.readable();
}

Detached sleeper(CoroLoop& loop, std::vector<std::string>& log) {
    Watch w(loop);
    log.emplace_back(name(co_await w.readable()));  // no descriptor to wait on
    w.set_deadline(server::TimerKind::accept_pause, loop.now() + 10ms);
    log.emplace_back(name(co_await w.until_deadline()));
}

Detached taker_of_turns(CoroLoop& loop, std::string id, std::string& order) {
    Watch w(loop);
    for (int i = 0; i < 3; ++i) {
        order += id;
        (void)co_await w.yield();
    }
}

Detached late_timeout(CoroLoop& loop, std::vector<std::string>& log) {
    Watch w(loop);
    // Expires while this coroutine is queued.
    w.set_deadline(server::TimerKind::keepalive, loop.now());
    log.emplace_back(name(co_await w.yield()));
    log.emplace_back(name(co_await w.yield()));
    log.emplace_back(name(co_await w.until_deadline()));  // the missed timeout, at once
}

Detached busy_until_stop(CoroLoop& loop, int& turns) {
    Watch w(loop);
    while (co_await w.yield() != Wake::stop) ++turns;
}

Task<int> read_or_throw(CoroLoop& loop, int fd) {
    Watch w(loop, fd);
    w.drained();
    if (co_await w.readable() == Wake::ready) throw std::runtime_error("readable");
    co_return 0;
}

Detached catcher(CoroLoop& loop, int fd, std::string& what) {
    try {
        (void)co_await read_or_throw(loop, fd);
    } catch (const std::runtime_error& e) {
        what = e.what();
    }
}

Task<> stubborn_child(CoroLoop& loop) {
    const Alive alive;
    Watch w(loop);
    for (;;) (void)co_await w.until_deadline();  // ignores the stop: only cancellation ends it
}

Detached stubborn(CoroLoop& loop, int fd) {
    const Alive alive;
    Watch w(loop, fd);  // registered: destroying the frame must deregister it
    co_await stubborn_child(loop);
}

}  // namespace

TEST_CASE("a readable edge between EAGAIN and the wait is not lost", "[coro_loop]") {
    SocketPair sp;
    std::vector<std::string> log;
    CoroLoop loop({});
    loop.spawn(racing_reader(loop, sp.a.get(), sp.b.get(), log));
    loop.run();
    CHECK(log == std::vector<std::string>{"EAGAIN", "ready", "x"});
}

TEST_CASE("writable resumes when the peer makes room", "[coro_loop]") {
    SocketPair sp;
    std::vector<std::string> log;
    CoroLoop loop({});
    loop.spawn(filler(loop, sp.a.get(), log));
    loop.spawn(drainer(loop, sp.b.get()));
    loop.run();
    CHECK(log == std::vector<std::string>{"ready"});
}

TEST_CASE("a wait past its deadline resumes with timeout", "[coro_loop]") {
    SocketPair sp;
    Wake got = Wake::ready;
    CoroLoop loop({});
    const auto start = std::chrono::steady_clock::now();
    loop.spawn(wait_once(loop, sp.a.get(), 30ms, got));
    loop.run();
    CHECK(got == Wake::timeout);
    CHECK(std::chrono::steady_clock::now() - start >= 30ms);
}

TEST_CASE("a Watch without descriptor: error on readable, sleeps until its deadline",
          "[coro_loop]") {
    std::vector<std::string> log;
    CoroLoop loop({});
    loop.spawn(sleeper(loop, log));
    loop.run();
    CHECK(log == std::vector<std::string>{"error", "timeout"});
}

TEST_CASE("yield lets every other coroutine take its turn first", "[coro_loop]") {
    std::string order;
    CoroLoop loop({});
    loop.spawn(taker_of_turns(loop, "a", order));
    loop.spawn(taker_of_turns(loop, "b", order));
    loop.run();
    CHECK(order == "ababab");
}

TEST_CASE("a timeout missed while busy is reported by the next wait", "[coro_loop]") {
    std::vector<std::string> log;
    CoroLoop loop({});
    loop.spawn(late_timeout(loop, log));
    loop.run();
    CHECK(log == std::vector<std::string>{"ready", "ready", "timeout"});
}

TEST_CASE("an exception thrown after a wait reaches the awaiting coroutine", "[coro_loop]") {
    SocketPair sp;
    std::string what;
    CoroLoop loop({});
    loop.spawn(catcher(loop, sp.a.get(), what));
    REQUIRE(::send(sp.b.get(), "x", 1, 0) == 1);
    loop.run();
    CHECK(what == "readable");
}

TEST_CASE("stop: waiting coroutines wake with stop, busy ones at their next wait", "[coro_loop]") {
    const std::size_t frames_before = Detached::live_frames();
    StopPipe stop;
    std::vector<SocketPair> pairs(50);
    std::vector<Wake> got(pairs.size(), Wake::ready);
    int turns = 0;
    {
        CoroLoop loop(with_stop(stop));
        for (std::size_t i = 0; i < pairs.size(); ++i)
            loop.spawn(wait_once(loop, pairs[i].a.get(), 10s, got[i]));
        loop.spawn(busy_until_stop(loop, turns));
        CHECK(Detached::live_frames() == frames_before + pairs.size() + 1);
        stop.fire();
        const auto start = std::chrono::steady_clock::now();
        loop.run();
        CHECK(std::chrono::steady_clock::now() - start < 1s);  // all finished: no drain wait
        CHECK(loop.live_tasks() == 0);
    }
    for (const Wake w : got) CHECK(w == Wake::stop);
    CHECK(Detached::live_frames() == frames_before);
}

TEST_CASE("the drain timeout cancels what ignores the stop; no frame outlives the loop",
          "[coro_loop]") {
    const std::size_t frames_before = Detached::live_frames();
    StopPipe stop;
    SocketPair sp;
    Alive::count = 0;
    {
        CoroLoop loop(with_stop(stop, 50ms));
        for (int i = 0; i < 3; ++i) loop.spawn(stubborn(loop, i == 0 ? sp.a.get() : -1));
        CHECK(Alive::count == 6);  // each frame and its child's
        stop.fire();
        const auto start = std::chrono::steady_clock::now();
        loop.run();
        const auto took = std::chrono::steady_clock::now() - start;
        CHECK(took >= 50ms);
        CHECK(took < 2s);
        CHECK(Alive::count == 0);  // destroyed, children included
        CHECK(Detached::live_frames() == frames_before);
    }
}

TEST_CASE("a loop destroyed without running destroys its suspended frames", "[coro_loop]") {
    const std::size_t frames_before = Detached::live_frames();
    SocketPair sp;
    Alive::count = 0;
    {
        CoroLoop loop({});
        loop.spawn(stubborn(loop, sp.a.get()));
        CHECK(Alive::count == 2);
    }
    CHECK(Alive::count == 0);
    CHECK(Detached::live_frames() == frames_before);
}
