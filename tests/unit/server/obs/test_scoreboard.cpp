// The scoreboard: slots claimed and released, counts by state and generation, the client
// text, the wake-up of the master across a fork, and the table.
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <string>

#include <catch2/catch.hpp>

#include "server/obs/scoreboard.hpp"

using server::Scoreboard;
using server::WorkerState;

namespace {

bool readable(int fd) {
    pollfd p{fd, POLLIN, 0};
    return ::poll(&p, 1, 0) > 0;
}

}  // namespace

TEST_CASE("scoreboard: claims the lowest free slot, counts by state and generation",
          "[scoreboard]") {
    Scoreboard board(4);
    CHECK(board.counts().live() == 0);
    CHECK(board.claim(1) == 0u);
    CHECK(board.claim(1) == 1u);
    CHECK(board.claim(2) == 2u);
    CHECK(board.counts().of(WorkerState::starting) == 3);
    board.slot(1).set(WorkerState::idle);
    board.release(0);
    CHECK(board.claim(2) == 0u);  // reused
    CHECK(board.claim(2) == 3u);
    CHECK_FALSE(board.claim(2).has_value());  // full
    CHECK(board.counts().live() == 4);
    CHECK(board.counts(1).live() == 1);
    CHECK(board.counts(1).of(WorkerState::idle) == 1);
    CHECK(board.counts(2).of(WorkerState::starting) == 3);
}

TEST_CASE("scoreboard: the client text, truncated, and a fresh slot's reset", "[scoreboard]") {
    Scoreboard board(1);
    server::ScoreSlot& s = board.slot(*board.claim(0));
    s.set_client("[2001:db8::1]:443");
    CHECK(s.client_text() == "[2001:db8::1]:443");
    const std::string long_peer(80, 'x');
    s.set_client(long_peer);
    CHECK(s.client_text() == std::string(47, 'x'));
    s.requests = 7;
    board.release(0);
    REQUIRE(board.claim(3) == 0u);
    CHECK(s.client_text().empty());
    CHECK(s.requests.load() == 0);
    CHECK(s.generation.load() == 3);
}

TEST_CASE("scoreboard: a worker leaving idle below --min-spare wakes the master once",
          "[scoreboard]") {
    Scoreboard board(8);
    for (int i = 0; i < 3; ++i) board.slot(*board.claim(0)).set(WorkerState::idle);
    board.set_min_spare(2);
    // Shared memory: a child's state change is the parent's, and so is the wake-up.
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        board.slot(0).set(WorkerState::reading);
        board.after_leaving_idle();  // 2 idle: enough, no wake-up
        const bool early = readable(board.wake_fd());
        board.slot(1).set(WorkerState::reading);
        board.after_leaving_idle();  // 1 idle: wake
        board.slot(2).set(WorkerState::reading);
        board.after_leaving_idle();  // already told: no second write
        ::_exit(early ? 1 : 0);
    }
    int status = 0;
    REQUIRE(::waitpid(pid, &status, 0) == pid);
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(board.counts().of(WorkerState::reading) == 3);
    CHECK(readable(board.wake_fd()));
    board.take_wake();
    CHECK_FALSE(readable(board.wake_fd()));
    board.after_leaving_idle();  // still none idle: the next change wakes again
    CHECK(readable(board.wake_fd()));
    board.take_wake();
    board.set_min_spare(0);  // a fixed pool, or a full one: never
    board.after_leaving_idle();
    CHECK_FALSE(readable(board.wake_fd()));
}

TEST_CASE("scoreboard: the table, Apache's letters first", "[scoreboard]") {
    Scoreboard board(4);
    const auto now = std::chrono::steady_clock::now();
    server::ScoreSlot& a = board.slot(*board.claim(1));
    a.pid = 100;
    a.set(WorkerState::idle);
    server::ScoreSlot& b = board.slot(*board.claim(1));
    b.pid = 101;
    b.requests = 12;
    b.set_client("127.0.0.1:5000");
    b.begin_request(now - std::chrono::milliseconds(250));
    b.set(WorkerState::writing);
    std::string out;
    board.render(out, "# ", now);
    INFO(out);
    CHECK(out.find("# workers: _W\n") == 0);
    CHECK(out.find("# 0 100 1 idle 0 - -\n") != std::string::npos);
    CHECK(out.find("# 1 101 1 writing 12 250 127.0.0.1:5000\n") != std::string::npos);
}
