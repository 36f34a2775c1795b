// Clients that vanish mid-response, over every model: a reset (RST) in the middle of a large
// file, a close with the response unread (the server's next write meets EPIPE, which raises
// SIGPIPE unless it is ignored: it is, process-wide, before any fork or thread). The server
// keeps serving everyone else, nothing dies (a forked child or prefork worker killed by
// SIGPIPE would be logged "killed by SIGPIPE"), and every descriptor of those connections is
// closed again.
#include <signal.h>

#include <catch2/catch.hpp>

#include "fault_tests.hpp"
#include "suite.hpp"

using namespace ftest;
using itest::ClientOptions;
using itest::HttpResponse;
using itest::RawClient;
using itest::ReadResult;

namespace {

constexpr int rounds = 10;
// A small receive window keeps the server mid-transfer (blocked in send or waiting for
// writability) at the moment the client goes.
constexpr ClientOptions slow_reader{.rcvbuf = 4096};

// Reads the head and the first 16 KiB of big.bin, then goes away as `leave` says.
template <typename Leave>
void start_download_then(std::uint16_t port, Leave leave) {
    RawClient c(port, slow_reader);
    REQUIRE(c.send(itest::get_request("/big.bin")));
    HttpResponse r;
    REQUIRE(c.read_head(r) == ReadResult::ok);
    REQUIRE(r.status == 200);
    std::string some;
    REQUIRE(c.read_exact(some, 16 * 1024) == ReadResult::ok);
    leave(c);
}

// The server answers a fresh client in full while (or after) the others vanished.
void check_still_serving(const itest::ServerProcess& server, const mtest::BigRoot& root) {
    const HttpResponse big = get(server.port(), "/big.bin");
    REQUIRE(big.status == 200);
    CHECK(itest::first_mismatch(big.body, root.big_body()) == itest::no_mismatch);
    CHECK(get(server.port(), "/").status == 200);
}

void check_nothing_died(itest::ServerProcess& server) {
    INFO(server.output_tail());
    CHECK(server.running());
    CHECK(server.output().find("SIGPIPE") == std::string::npos);
    CHECK(server.output().find("killed by") == std::string::npos);
}

// Every connection of the vanished clients is closed (fork children gone, threads joined).
// An upper bound on the wait only: it passes as soon as the count is back.
void check_released(const itest::ServerProcess& server, pid_t pid, std::size_t fds_before) {
    const bool released = mtest::eventually([&] { return tree_fds(pid) <= fds_before; }, 10s);
    INFO("model " << server.model() << ": descriptors before " << fds_before << ", now "
                  << tree_fds(pid) << "\n"
                  << describe_fds(pid) << server.output_tail());
    CHECK(released);
}

}  // namespace

TEST_CASE("faults: clients that reset or close mid-transfer", "[faults][client]") {
    MODEL_UNDER_TEST();
    const mtest::BigRoot root;
    // No file kept open between requests (--file-cache-valid 0): this counts descriptors, and
    // each process's cache would hold big.bin's once it had served it.
    itest::ServerProcess server(model, root.path(), {"--workers", "2", "--file-cache-valid", "0"});
    const pid_t pid = mtest::server_pid();
    REQUIRE(pid > 0);
    REQUIRE(get(server.port(), "/").status == 200);  // warm: lazily opened descriptors exist
    const std::size_t fds_before = settled_tree_fds(pid);

    SECTION("a reset (SO_LINGER 0) in the middle of a large file") {
        for (int i = 0; i < rounds; ++i)
            start_download_then(server.port(), [](RawClient& c) { c.reset(); });
    }
    SECTION("a close with the rest of the response unread (EPIPE, SIGPIPE)") {
        for (int i = 0; i < rounds; ++i) start_download_then(server.port(), [](RawClient&) {});
    }
    SECTION("a close right after pipelining requests, before any response is read") {
        std::string pipelined;
        for (int i = 0; i < 20; ++i) pipelined += itest::get_request(i % 2 ? "/big.bin" : "/");
        for (int i = 0; i < rounds; ++i) {
            RawClient c(server.port(), slow_reader);
            REQUIRE(c.send(pipelined));
        }
    }
    check_still_serving(server, root);
    check_nothing_died(server);
    check_released(server, pid, fds_before);
    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
}

// io_uring links a last response's send to the socket's close: a send that fails cancels that
// close, and the loop must close the socket itself. The server is stopped while the clients
// send and reset, so it reads each request before it sees the reset. The file cache stays on
// (the default): it is what makes "/" one in-memory send.
TEST_CASE("faults: Connection: close requests whose clients reset before the answer",
          "[faults][reset]") {
    MODEL_UNDER_TEST();
    const mtest::BigRoot root;
    itest::ServerProcess server(model, root.path(), {"--workers", "2"});
    const pid_t pid = mtest::server_pid();
    REQUIRE(pid > 0);
    for (int i = 0; i < 4; ++i) REQUIRE(get(server.port(), "/").status == 200);
    const std::size_t fds_before = settled_tree_fds(pid);
    REQUIRE(::kill(-server.pid(), SIGSTOP) == 0);
    for (int i = 0; i < rounds; ++i) {
        RawClient c(server.port());
        REQUIRE(c.send(itest::get_request("/", "Connection: close\r\n")));
        c.reset();
    }
    REQUIRE(::kill(-server.pid(), SIGCONT) == 0);
    CHECK(get(server.port(), "/").status == 200);
    check_nothing_died(server);
    check_released(server, pid, fds_before);
    CHECK(server.stop(10s).clean());
}
