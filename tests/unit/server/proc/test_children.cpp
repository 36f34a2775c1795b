// Children: spawning, reaping through the SIGCHLD self-pipe, a child's private stop, and the
// shutdown sequence (SIGTERM, grace, the cut order, SIGKILL). Real fork()s of this test process;
// every child runs only the body given here and _exit()s, so Catch never runs twice.
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <stdexcept>
#include <thread>

#include <catch2/catch.hpp>

#include "server/proc/children.hpp"
#include "server/sys/fork_gate.hpp"
#include "unit/server/proc/installed_stop.hpp"
#include "unit/server/sockets.hpp"

using namespace std::chrono_literals;

namespace {

struct Ended {
    std::map<pid_t, int> status;  // pid -> wait status
    std::function<void(pid_t, int)> sink() {
        return [this](pid_t pid, int st) { status[pid] = st; };
    }
};

// A bound for "the child ends soon"; generous, since a loaded machine may be slow to fork.
constexpr auto soon = 10s;

}  // namespace

TEST_CASE("a child's exit code is reaped, and the wake fd said so", "[children]") {
    server::Children children;
    Ended ended;
    const pid_t pid = children.spawn(test::installed_stop(), [] { return 3; });
    REQUIRE(pid > 0);
    CHECK(children.live() == 1);
    CHECK(test::poll_for(children.wake_fd(), POLLIN, soon));  // SIGCHLD wrote the self-pipe
    CHECK(children.wait_all(std::chrono::steady_clock::now() + soon, ended.sink()) == 0);
    CHECK(children.live() == 0);
    REQUIRE(ended.status.count(pid) == 1);
    CHECK(server::describe_wait_status(ended.status[pid]) == "exit status 3");
    children.reap(ended.sink());  // nothing left: returns at once, reports nothing new
    CHECK(ended.status.size() == 1);
}

TEST_CASE("an exception in a child's body becomes exit status 70, not the parent's problem",
          "[children]") {
    server::Children children;
    Ended ended;
    const pid_t pid =
        children.spawn(test::installed_stop(), []() -> int { throw std::runtime_error("boom"); });
    REQUIRE(pid > 0);
    REQUIRE(children.wait_all(std::chrono::steady_clock::now() + soon, ended.sink()) == 0);
    CHECK(server::describe_wait_status(ended.status[pid]) == "exit status 70");
}

TEST_CASE("one Children per process", "[children]") {
    const server::Children first;
    CHECK_THROWS_AS(server::Children(), std::logic_error);
}

TEST_CASE("SIGTERM to a child wakes its own stop, not the parent's", "[children]") {
    const server::Shutdown& stop = test::installed_stop();
    server::Children children;
    Ended ended;
    // The body waits on the stop fd the way serve_blocking() and the acceptors do.
    const pid_t pid = children.spawn(
        stop, [&stop] { return test::poll_for(stop.wake_fd(), POLLIN, 20s) ? 0 : 1; });
    REQUIRE(pid > 0);
    children.signal(pid, SIGTERM);
    REQUIRE(children.wait_all(std::chrono::steady_clock::now() + soon, ended.sink()) == 0);
    CHECK(server::describe_wait_status(ended.status[pid]) == "exit status 0");
    CHECK_FALSE(stop.requested());
    CHECK_FALSE(test::poll_for(stop.wake_fd(), POLLIN, 0ms));  // the shared pipe is untouched
}

TEST_CASE("stop_all: children that stop are not killed; one that ignores its stop is",
          "[children]") {
    const server::Shutdown& stop = test::installed_stop();
    server::Children children;
    Ended ended;
    const pid_t polite = children.spawn(
        stop, [&stop] { return test::poll_for(stop.wake_fd(), POLLIN, 20s) ? 0 : 1; });
    const pid_t deaf = children.spawn(stop, [] {
        for (;;) ::pause();  // the stop pipe becomes readable; nobody looks
        return 0;
    });
    REQUIRE(polite > 0);
    REQUIRE(deaf > 0);
    CHECK(children.live() == 2);
    // wait_all gives up at its deadline and says how many are left.
    CHECK(children.wait_all(std::chrono::steady_clock::now() + 20ms, ended.sink()) == 2);

    const auto out = children.stop_all(300ms, stop, server::Stats::shared(), ended.sink());
    CHECK(out.killed == 1);  // the cut order (SIGUSR2) reached it too: nobody looks
    CHECK(out.cut == 0);     // neither counted a connection
    CHECK(children.live() == 0);
    CHECK(server::describe_wait_status(ended.status[polite]) == "exit status 0");
    CHECK(server::describe_wait_status(ended.status[deaf]) == "killed by SIGKILL");
}

TEST_CASE("stop_all: past the grace, the connections still held are cut by order, not killed",
          "[children]") {
    const server::Shutdown& stop = test::installed_stop();
    server::Stats& stats = server::Stats::shared();  // per-process counts the master can read
    server::Children children;
    Ended ended;
    int ready[2];
    REQUIRE(::pipe(ready) == 0);
    // Holds a "connection" through its stop, as a response in flight does, until the cut
    // order (SIGUSR2) makes its urgent fd readable: exit 0 then, 1 if it never comes.
    const pid_t busy = children.spawn(stop, [&] {
        const server::ConnectionCount held(stats);
        [[maybe_unused]] const auto n = ::write(ready[1], "x", 1);
        return test::poll_for(stop.urgent_fd(), POLLIN, 20s) ? 0 : 1;
    });
    REQUIRE(busy > 0);
    ::close(ready[1]);
    char byte = 0;
    REQUIRE(::read(ready[0], &byte, 1) == 1);  // the count is taken
    ::close(ready[0]);
    CHECK(children.connections_held(stats) == 1);

    const auto out = children.stop_all(100ms, stop, stats, ended.sink());
    CHECK(out.cut == 1);
    CHECK(out.killed == 0);
    CHECK(server::describe_wait_status(ended.status[busy]) == "exit status 0");
    CHECK_FALSE(stop.urgent());  // the child's own pipe, not this process's
}

TEST_CASE("wait_all returns early when its interrupt fd turns readable", "[children]") {
    const server::Shutdown& stop = test::installed_stop();
    server::Children children;
    Ended ended;
    const pid_t child = children.spawn(
        stop, [&stop] { return test::poll_for(stop.wake_fd(), POLLIN, 20s) ? 0 : 1; });
    REQUIRE(child > 0);
    int interrupt[2];
    REQUIRE(::pipe(interrupt) == 0);
    REQUIRE(::write(interrupt[1], "x", 1) == 1);
    // Far from the 20 s deadline: only the interrupt can end it now.
    const auto t0 = std::chrono::steady_clock::now();
    CHECK(children.wait_all(t0 + 20s, ended.sink(), interrupt[0]) == 1);
    CHECK(std::chrono::steady_clock::now() - t0 < 10s);
    ::close(interrupt[0]);
    ::close(interrupt[1]);
    children.signal(child, SIGTERM);
    CHECK(children.wait_all(std::chrono::steady_clock::now() + soon, ended.sink()) == 0);
}

TEST_CASE("describe_wait_status names exits and signals", "[children]") {
    CHECK(server::describe_wait_status(0) == "exit status 0");
    CHECK(server::describe_wait_status(2 << 8) == "exit status 2");
    CHECK(server::describe_wait_status(SIGTERM) == "killed by SIGTERM");
    CHECK(server::describe_wait_status(SIGSEGV | 0x80) == "killed by SIGSEGV (core dumped)");
}

// The fork gate (server/sys/fork_gate.hpp): a child forked while another thread held a lock
// would inherit it held for good, so spawn() waits until the process's other threads wait.
TEST_CASE("a gated thread holds the gate from its start and spawn() waits for it", "[children]") {
    std::atomic<bool> released{false};
    bool gate_free_at_start = true;
    {
        server::GatedThread worker([&](std::unique_lock<std::mutex>& working) {
            std::this_thread::sleep_for(300ms);  // some work, holding the gate
            released = true;
            working.unlock();
        });
        gate_free_at_start = server::fork_gate().try_lock();
        if (gate_free_at_start) server::fork_gate().unlock();

        server::Children children;
        Ended ended;
        const pid_t pid = children.spawn(test::installed_stop(), [] { return 0; });
        REQUIRE(pid > 0);
        CHECK(released);  // the fork came after the worker let go, not during its work
        CHECK(children.wait_all(std::chrono::steady_clock::now() + soon, ended.sink()) == 0);
    }
    CHECK_FALSE(gate_free_at_start);
    CHECK(server::fork_gate().try_lock());  // and the child's copy was no concern of ours
    server::fork_gate().unlock();
}
