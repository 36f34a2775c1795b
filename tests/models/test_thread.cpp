// thread: one thread per connection, and the thread count falls back to its baseline when the
// clients leave (threads are joined, none leaks).
#include <catch2/catch.hpp>

#include <memory>
#include <vector>

#include "model_tests.hpp"

using namespace mtest;
using itest::HttpResponse;
using itest::RawClient;
using itest::ReadResult;

TEST_CASE("thread: the thread count returns to its baseline after 200 connections close",
          "[models][thread]") {
    const BigRoot root;
    itest::ServerProcess server("thread", root.path(), {"--keepalive-timeout", "30s"});
    const pid_t pid = server_pid();
    REQUIRE(pid > 0);
    REQUIRE(get_status(server.port()) == 200);
    ::usleep(300'000);  // the control thread is up and that request's thread is gone
    const int baseline = thread_count(pid);
    REQUIRE(baseline > 0);

    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 200; ++i) {
        clients.push_back(std::make_unique<RawClient>(server.port()));
        REQUIRE(clients.back()->send(itest::get_request("/")));
    }
    for (auto& c : clients) {
        HttpResponse r;
        REQUIRE(c->read_response(r) == ReadResult::ok);
        REQUIRE(r.status == 200);
    }
    CHECK(thread_count(pid) == baseline + 200);  // one per open connection
    clients.clear();
    CHECK(eventually([&] { return thread_count(pid) == baseline; }, 5s));

    CHECK(burst(server.port(), 2000, 8) == 0);  // short connections: no leak either
    CHECK(eventually([&] { return thread_count(pid) == baseline; }, 5s));
    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
}
