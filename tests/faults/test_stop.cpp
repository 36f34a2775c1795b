// Stopping with a download in flight, over every model: the first SIGTERM says at once how many
// connections the drain waits for and for how long; a second SIGTERM ends it at once (well
// before a long --shutdown-timeout); a drain that times out says how many connections it cut.
// Every model words these lines the same and counts the cut request the same way ("stopped
// after 1 request": a fork child or prefork worker cut mid-response used to be SIGKILLed,
// so its request was never counted).
// Also the options a model does not read: a warning naming the option and the model, and
// --workers 1 meaning one prefork worker.
#include <signal.h>

#include <catch2/catch.hpp>

#include "fault_tests.hpp"
#include "suite.hpp"

using namespace ftest;
using mtest::eventually;

namespace {

// A client that asked for big.bin, read its head and then nothing: with its small receive
// window the response stalls mid-transfer, so a drain waits for it until it is cut.
class StalledDownload {
public:
    explicit StalledDownload(std::uint16_t port) : client_(port, {.rcvbuf = 4096}) {
        REQUIRE(client_.send(itest::get_request("/big.bin")));
        itest::HttpResponse r;
        REQUIRE(client_.read_head(r) == itest::ReadResult::ok);
        REQUIRE(r.status == 200);
    }

private:
    itest::RawClient client_;
};

// A server with --shutdown-timeout `drain` and one stalled download.
struct StalledServer {
    StalledServer(const std::string& model, const std::string& drain)
        : server(model, root.path(), {"--shutdown-timeout", drain, "--send-timeout", "60s"}),
          download(server.port()) {}

    const mtest::BigRoot root;
    itest::ServerProcess server;
    const StalledDownload download;
};

bool logged(const itest::ServerProcess& server, std::string_view line) {
    return server.output().find(line) != std::string::npos;
}

// Waits (up to 10 s) for `line` in the server's output.
bool eventually_logged(const itest::ServerProcess& server, std::string_view line) {
    return eventually([&] { return logged(server, line); }, 10s);
}

}  // namespace

TEST_CASE("stop: a second SIGTERM ends a drain at once; the cut is logged and counted",
          "[faults][stop]") {
    MODEL_UNDER_TEST();
    StalledServer stalled(model, "30s");
    itest::ServerProcess& server = stalled.server;
    server.send_signal(SIGTERM);
    INFO(server.output_tail());
    REQUIRE(eventually_logged(server,
                              "SIGTERM: draining 1 connection for up to 30s; a second "
                              "SIGINT/SIGTERM stops at once"));
    server.send_signal(SIGTERM);
    // Far below the 30 s drain: only the second signal can end it this early.
    const itest::Exit e = server.await_exit(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
    CHECK(logged(server, "SIGTERM again: stopping at once"));
    CHECK(logged(server, "shutdown: 1 connection cut at the second SIGTERM"));
    CHECK(logged(server, "stopped after 1 request\n"));
}

TEST_CASE("stop: a drain that times out says how many connections it cut", "[faults][stop]") {
    MODEL_UNDER_TEST();
    StalledServer stalled(model, "1s");
    itest::ServerProcess& server = stalled.server;
    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
    CHECK(logged(server, "SIGTERM: draining 1 connection for up to 1s"));
    CHECK(logged(server, "shutdown: 1 connection cut at the 1s shutdown timeout"));
    CHECK(logged(server, "stopped after 1 request\n"));
    CHECK_FALSE(logged(server, "killed"));  // fork and prefork children were told, not killed
}

TEST_CASE("stop: with nothing open the stop says so", "[faults][stop]") {
    MODEL_UNDER_TEST();
    const mtest::BigRoot root;
    itest::ServerProcess server(model, root.path(), {});
    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
    CHECK(logged(server, "SIGTERM: stopping, no connection open"));
    CHECK_FALSE(logged(server, "cut"));
    CHECK(logged(server, "stopped after 0 requests"));
}

TEST_CASE("options a model does not read are warned of, naming option and model",
          "[faults][options]") {
    const mtest::BigRoot root;
    SECTION("--workers on loop") {
        itest::ServerProcess server("loop", root.path(), {"--workers", "4"});
        INFO(server.output_tail());
        CHECK(eventually_logged(server, "--workers 4 is ignored: --model loop does not read it"));
    }
    SECTION("--max-requests-per-worker on thread, --uring-files on epoll-et") {
        itest::ServerProcess thread("thread", root.path(), {"--max-requests-per-worker", "5"});
        itest::ServerProcess epoll("epoll-et", root.path(), {"--uring-files", "splice"});
        CHECK(eventually_logged(
            thread, "--max-requests-per-worker 5 is ignored: --model thread does not read it"));
        CHECK(eventually_logged(
            epoll, "--uring-files splice is ignored: --model epoll-et does not read it"));
    }
    SECTION("what a model reads, or a default, is not warned of") {
        itest::ServerProcess server("prefork", root.path(),
                                    {"--workers", "2", "--max-requests-per-worker", "5"});
        REQUIRE(mtest::get_status(server.port()) == 200);
        const itest::Exit e = server.stop(10s);
        CHECK(e.clean());
        CHECK_FALSE(logged(server, "is ignored"));
    }
}

TEST_CASE("--workers 1 runs one prefork worker; not given, the adaptive pool starts 5",
          "[faults][options]") {
    const mtest::BigRoot root;
    const bool given = GENERATE(true, false);
    INFO("--workers 1 given: " << given);
    itest::ServerProcess server(
        "prefork", root.path(),
        given ? std::vector<std::string>{"--workers", "1"} : std::vector<std::string>{});
    const pid_t pid = mtest::server_pid();
    REQUIRE(pid > 0);
    const std::size_t want = given ? 1 : 5;
    INFO(server.output_tail());
    CHECK(eventually_logged(server, given ? "prefork: 1 worker (fixed by --workers)\n"
                                          : "prefork: adaptive pool of 5 to 256 workers"));
    CHECK(eventually([&] { return server_tree(pid).size() - 1 == want; }, 5s));
    CHECK(mtest::get_status(server.port()) == 200);
}

TEST_CASE("--workers auto logs the number it chose", "[faults][options]") {
    const mtest::BigRoot root;
    itest::ServerProcess server("epoll-et", root.path(), {"--workers", "auto"});
    INFO(server.output_tail());
    CHECK(eventually_logged(server, "--workers auto: "));
    CHECK(eventually_logged(server, " event loops (one per core)"));
}
