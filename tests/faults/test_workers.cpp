// The processes of the process models, faulted: a prefork worker or a fork child killed
// (SIGKILL) or stopped (SIGSTOP) while the others keep serving.
// - prefork: a stopped worker is off the listener's wait queue (it left epoll_wait to stop),
//   so EPOLLEXCLUSIVE wakes a running worker for every new client. The exception is a client
//   whose wake-up went to the worker in the instant it was being stopped (the first request
//   below, right after the SIGSTOP, often is): idle workers re-check the listener every second
//   (accept_exclusive.cpp), so it waits about a second instead of until the next client.
//   Only the connection the stopped worker had already accepted stalls until SIGCONT (or the
//   client gives up). A killed worker is reaped and replaced.
// - the connection gauge (shared-memory Stats): a process killed while it holds a connection
//   never decrements it; the master settles the dead child's count when it reaps it, so
//   polyhttpd_connections_active does not drift upwards with every killed worker.
#include <signal.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include "fault_tests.hpp"

using namespace ftest;
using mtest::eventually;

namespace {

constexpr std::string_view gauge = "polyhttpd_connections_active";

// The live child serving a client, -1 if none does within 2 s: a prefork worker holding a
// socket besides the listener, or a fork child (which closed its copy of the listener).
pid_t child_serving_a_client(pid_t server, const std::string& model) {
    const std::size_t sockets = model == "prefork" ? 2 : 1;
    pid_t found = -1;
    eventually(
        [&] {
            for (const pid_t p : server_tree(server))
                if (p != server && socket_fds(p) >= sockets) found = p;
            return found > 0;
        },
        2s);
    return found;
}

std::size_t live_children(pid_t server) { return server_tree(server).size() - 1; }

// A keep-alive client that has had one response, its connection now held by some process.
std::unique_ptr<itest::RawClient> idle_client(std::uint16_t port) {
    auto c = std::make_unique<itest::RawClient>(port);
    REQUIRE(c->send(itest::get_request("/")));
    itest::HttpResponse r;
    REQUIRE(c->read_response(r) == itest::ReadResult::ok);
    return c;
}

}  // namespace

TEST_CASE("faults: a process holding a connection is killed; the gauge settles",
          "[faults][workers]") {
    const std::string model = GENERATE(as<std::string>{}, "prefork", "fork");
    INFO("model: " << model);
    const mtest::BigRoot root;
    itest::ServerProcess server(
        model, root.path(),
        {"--workers", "2", "--status-path", "/metrics", "--keepalive-timeout", "60s"});
    const pid_t pid = mtest::server_pid();
    REQUIRE(pid > 0);
    auto client = idle_client(server.port());
    const pid_t holder = child_serving_a_client(pid, model);
    REQUIRE(holder > 0);
    // Two connections open now: the idle client and the request for the page itself.
    CHECK(metric(server.port(), "/metrics", gauge) == 2);

    REQUIRE(::kill(holder, SIGKILL) == 0);
    CHECK(client->wait_closed(5s));
    CHECK(eventually([&] { return !mtest::running(holder); }, 2s));
    if (model == "prefork") CHECK(eventually([&] { return live_children(pid) == 2; }, 2s));
    // Only the metrics request itself is open.
    CHECK(eventually([&] { return metric(server.port(), "/metrics", gauge) == 1; }, 2s));
    // Reaped: a child that just ended may be a zombie for a moment, never for long.
    CHECK(eventually([&] { return mtest::zombies_of(pid) == 0; }, 2s));
    CHECK(mtest::burst(server.port(), 20, 2) == 0);
    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
}

TEST_CASE("faults: a stopped prefork worker does not hold up new clients", "[faults][workers]") {
    const mtest::BigRoot root;
    itest::ServerProcess server("prefork", root.path(),
                                {"--workers", "2", "--shutdown-timeout", "1s"});
    const pid_t pid = mtest::server_pid();
    REQUIRE(pid > 0);
    REQUIRE(eventually([&] { return live_children(pid) == 2; }, 2s));
    const pid_t stopped = server_tree(pid)[1];
    REQUIRE(::kill(stopped, SIGSTOP) == 0);

    // One client at a time, nothing behind it to wake another worker: each must still be
    // answered (by the running worker), never parked on the stopped one.
    for (int i = 0; i < 20; ++i) REQUIRE(mtest::get_status(server.port()) == 200);
    CHECK(mtest::burst(server.port(), 40, 4) == 0);
    CHECK(live_children(pid) == 2);  // stopped is not ended: the master does not replace it

    SECTION("then killed: reaped and replaced") {
        REQUIRE(::kill(stopped, SIGKILL) == 0);
        CHECK(eventually(
            [&] {
                const auto now = server_tree(pid);
                return now.size() == 3 && std::find(now.begin(), now.end(), stopped) == now.end();
            },
            2s));
        CHECK(mtest::burst(server.port(), 20, 2) == 0);
        const itest::Exit e = server.stop(10s);
        INFO(e.describe() << "\n" << server.output_tail());
        CHECK(e.clean());
    }
    SECTION("still stopped at shutdown: killed after --shutdown-timeout, exit 0") {
        const itest::Exit e = server.stop(10s);
        INFO(e.describe() << "\n" << server.output_tail());
        CHECK(e.clean());
        CHECK(server.output().find("1 child process did not end when told and was killed") !=
              std::string::npos);
    }
}

TEST_CASE("faults: a stopped fork child stalls only its own client", "[faults][workers]") {
    const mtest::BigRoot root;
    itest::ServerProcess server("fork", root.path(),
                                {"--keepalive-timeout", "60s", "--shutdown-timeout", "1s"});
    const pid_t pid = mtest::server_pid();
    REQUIRE(pid > 0);
    auto client = idle_client(server.port());
    const pid_t holder = child_serving_a_client(pid, "fork");
    REQUIRE(holder > 0);
    REQUIRE(::kill(holder, SIGSTOP) == 0);
    CHECK(mtest::burst(server.port(), 40, 4) == 0);
    // Its client is stalled: the request gets no answer while the child is stopped.
    REQUIRE(client->send(itest::get_request("/")));
    itest::HttpResponse r;
    CHECK(client->read_response(r, false, 300ms) == itest::ReadResult::timeout);
    REQUIRE(::kill(holder, SIGCONT) == 0);
    CHECK(client->read_response(r) == itest::ReadResult::ok);
    CHECK(r.status == 200);
    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
}
