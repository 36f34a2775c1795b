// fork: every child is reaped (no zombie, however many connections), and children never
// outlive a master that was killed.
#include <signal.h>

#include <catch2/catch.hpp>

#include "model_tests.hpp"

using namespace mtest;

TEST_CASE("fork: no zombie after 2,000 connections", "[models][fork]") {
    const BigRoot root;
    itest::ServerProcess server("fork", root.path(), {});
    const pid_t pid = server_pid();
    REQUIRE(pid > 0);
    CHECK(burst(server.port(), 2000, 8) == 0);
    // Every connection is over: each child has ended and been reaped.
    CHECK(eventually([&] { return children_of(pid).empty(); }, 5s));
    CHECK(zombies_of(pid) == 0);
    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
    CHECK(server.output().find("0 ended abnormally") != std::string::npos);
}

TEST_CASE("fork: a child serving a client does not outlive a SIGKILLed parent",
          "[models][fork]") {
    const BigRoot root;
    itest::ServerProcess server("fork", root.path(), {"--keepalive-timeout", "60s"});
    const pid_t pid = server_pid();
    REQUIRE(pid > 0);
    itest::RawClient c(server.port());
    REQUIRE(c.send(itest::get_request("/")));
    itest::HttpResponse r;
    REQUIRE(c.read_response(r) == itest::ReadResult::ok);
    const std::vector<ProcInfo> children = children_of(pid);
    REQUIRE(children.size() == 1);
    server.send_signal(SIGKILL);
    // PR_SET_PDEATHSIG turns the parent's death into the child's stop: the idle connection
    // closes at once and the child exits, long before the keep-alive timeout.
    CHECK(c.wait_closed(3s));
    CHECK(eventually([&] { return !running(children[0].pid); }, 2s));
    CHECK(server.await_exit(5s).signaled);
}
