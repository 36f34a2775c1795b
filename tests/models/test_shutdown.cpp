// Stop behaviour shared by the three blocking models: a response in flight when SIGTERM
// arrives is completed, a client that stalls past --shutdown-timeout is cut off, and the
// server exits 0 with no process of its group left behind.
#include <signal.h>

#include <catch2/catch.hpp>

#include "model_tests.hpp"

using namespace mtest;
using itest::HttpResponse;
using itest::RawClient;
using itest::ReadResult;


void sigterm_lets_transfer_complete(const std::string& m) {
    INFO("model: " << m);
    const BigRoot root;
    itest::ServerProcess server(m, root.path(), {"--shutdown-timeout", "20s"});
    // A small receive buffer keeps most of the file on the server's side.
    RawClient c(server.port(), itest::ClientOptions{.rcvbuf = 32 * 1024});
    REQUIRE(c.send(itest::get_request("/big.bin")));
    HttpResponse r;
    REQUIRE(c.read_head(r) == ReadResult::ok);
    REQUIRE(r.status == 200);
    REQUIRE(r.get("Content-Length") == std::to_string(BigRoot::big_size));
    std::string body;
    while (body.size() < (1u << 20)) {
        REQUIRE(c.read_exact(body, 64 * 1024) == ReadResult::ok);
        ::usleep(2000);
    }
    server.send_signal(SIGTERM);
    ::usleep(1'000'000);  // the server is draining; the transfer must wait for us
    CHECK(get_status(server.port(), 300ms) == 0);  // and no new connection is served
    const ReadResult rest = c.read_exact(body, BigRoot::big_size - body.size());
    INFO(c.error());
    CHECK(rest == ReadResult::ok);
    CHECK(body.size() == BigRoot::big_size);
    CHECK(body == root.big_body());
    CHECK(c.wait_closed());
    const itest::Exit e = server.await_exit(25s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
}

TEST_CASE("SIGTERM during a slow 10 MiB transfer lets it complete", "[models][shutdown]") {
    const std::string m = GENERATE(values<std::string>({"fork", "thread", "prefork"}));
    sigterm_lets_transfer_complete(m);
}

void stall_past_shutdown_timeout_is_cut_off(const std::string& m) {
    INFO("model: " << m);
    const BigRoot root;
    itest::ServerProcess server(m, root.path(), {"--shutdown-timeout", "1s"});
    RawClient c(server.port(), itest::ClientOptions{.rcvbuf = 16 * 1024});
    REQUIRE(c.send(itest::get_request("/big.bin")));
    HttpResponse r;
    REQUIRE(c.read_head(r) == ReadResult::ok);
    REQUIRE(r.status == 200);
    ::usleep(200'000);  // the server is now blocked on our full receive window
    const auto start = std::chrono::steady_clock::now();
    server.send_signal(SIGTERM);
    const itest::Exit e = server.await_exit(10s);
    const auto took = std::chrono::steady_clock::now() - start;
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
    CHECK(took < 3s);  // 1 s of grace, then the straggler is ended
    std::string rest;
    CHECK(c.read_exact(rest, BigRoot::big_size) != ReadResult::ok);  // it never got it all
}

TEST_CASE("a client stalled past --shutdown-timeout is cut off; exit 0 in time",
          "[models][shutdown]") {
    const std::string m = GENERATE(values<std::string>({"fork", "thread", "prefork"}));
    stall_past_shutdown_timeout_is_cut_off(m);
}
