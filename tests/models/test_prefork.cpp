// prefork: the master keeps its pool full (a worker killed with SIGKILL is replaced within a
// second), recycles workers after --max-requests-per-worker, replaces them on SIGHUP, and no
// worker outlives a killed master.
#include <signal.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include "model_tests.hpp"

using namespace mtest;

namespace {

std::vector<pid_t> workers_of(pid_t master) {
    std::vector<pid_t> out;
    for (const ProcInfo& p : children_of(master))
        if (p.state != 'Z') out.push_back(p.pid);
    std::sort(out.begin(), out.end());
    return out;
}

bool disjoint(const std::vector<pid_t>& a, const std::vector<pid_t>& b) {
    return std::none_of(a.begin(), a.end(),
                        [&](pid_t p) { return std::find(b.begin(), b.end(), p) != b.end(); });
}

}  // namespace

TEST_CASE("prefork: a worker killed with SIGKILL is replaced within a second",
          "[models][prefork]") {
    const BigRoot root;
    itest::ServerProcess server("prefork", root.path(), {"--workers", "4"});
    const pid_t pid = server_pid();
    REQUIRE(pid > 0);
    REQUIRE(eventually([&] { return workers_of(pid).size() == 4; }, 2s));
    const std::vector<pid_t> before = workers_of(pid);

    SECTION("one worker") {
        ::kill(before[0], SIGKILL);
        CHECK(eventually(
            [&] {
                const auto now = workers_of(pid);
                return now.size() == 4 && !std::binary_search(now.begin(), now.end(), before[0]);
            },
            1s));
    }
    SECTION("every worker at once") {
        for (const pid_t w : before) ::kill(w, SIGKILL);
        CHECK(eventually(
            [&] {
                const auto now = workers_of(pid);
                return now.size() == 4 && disjoint(now, before);
            },
            1s));
    }
    CHECK(burst(server.port(), 40, 4) == 0);  // and the next requests are answered
    CHECK(zombies_of(pid) == 0);
    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
    CHECK(server.output().find("killed by SIGKILL; replacing it") != std::string::npos);
}

TEST_CASE("prefork: --max-requests-per-worker recycles workers", "[models][prefork]") {
    const BigRoot root;
    itest::ServerProcess server("prefork", root.path(),
                                {"--workers", "2", "--max-requests-per-worker", "3"});
    const pid_t pid = server_pid();
    REQUIRE(pid > 0);
    REQUIRE(eventually([&] { return workers_of(pid).size() == 2; }, 2s));
    const std::vector<pid_t> before = workers_of(pid);
    CHECK(burst(server.port(), 30, 1) == 0);
    // 30 requests, at most 3 per worker: the first two workers are long gone, the pool full.
    CHECK(eventually(
        [&] {
            const auto now = workers_of(pid);
            return now.size() == 2 && disjoint(now, before);
        },
        2s));
    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
    CHECK(server.output().find(" 0 recycled") == std::string::npos);
    CHECK(server.output().find(" 0 died") != std::string::npos);
}

TEST_CASE("prefork: SIGHUP replaces the workers; an idle client of an old one is let go",
          "[models][prefork]") {
    const BigRoot root;
    itest::ServerProcess server("prefork", root.path(),
                                {"--workers", "2", "--keepalive-timeout", "60s"});
    const pid_t pid = server_pid();
    REQUIRE(pid > 0);
    REQUIRE(eventually([&] { return workers_of(pid).size() == 2; }, 2s));
    const std::vector<pid_t> before = workers_of(pid);
    itest::RawClient idle(server.port());
    REQUIRE(idle.send(itest::get_request("/")));
    itest::HttpResponse r;
    REQUIRE(idle.read_response(r) == itest::ReadResult::ok);

    server.send_signal(SIGHUP);
    CHECK(eventually(
        [&] {
            const auto now = workers_of(pid);
            return now.size() == 2 && disjoint(now, before);
        },
        3s));
    CHECK(idle.wait_closed(2s));  // its worker retired: idle keep-alive closed at once
    CHECK(burst(server.port(), 20, 2) == 0);
    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
}

TEST_CASE("prefork: no worker outlives a SIGKILLed master", "[models][prefork]") {
    const BigRoot root;
    itest::ServerProcess server("prefork", root.path(), {"--workers", "4"});
    const pid_t pid = server_pid();
    REQUIRE(pid > 0);
    REQUIRE(eventually([&] { return workers_of(pid).size() == 4; }, 2s));
    const std::vector<pid_t> workers = workers_of(pid);
    server.send_signal(SIGKILL);
    // PR_SET_PDEATHSIG turns the master's death into each worker's stop.
    CHECK(eventually([&] { return std::none_of(workers.begin(), workers.end(), running); }, 2s));
    CHECK(server.await_exit(5s).signaled);
}
