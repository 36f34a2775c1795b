// --max-connections for the models that open a process or thread per connection: at the cap
// the server stops accepting, the next client waits in the backlog (it is not dropped) and is
// served as soon as a connection ends; and (fork, thread: the saturation rule) a connection
// idle in keep-alive for a second gives its place up to the waiting client.
#include <memory>

#include <catch2/catch.hpp>

#include "model_tests.hpp"

using namespace mtest;
using itest::HttpResponse;
using itest::RawClient;
using itest::ReadResult;

namespace {

HttpResponse keepalive_get(RawClient& c) {
    HttpResponse r;
    REQUIRE(c.send(itest::get_request("/")));
    REQUIRE(c.read_response(r) == ReadResult::ok);
    return r;
}

}  // namespace

void third_client_waits_at_cap(const std::string& m) {
    INFO("model: " << m);
    const BigRoot root;
    itest::ServerProcess server(m, root.path(),
                                {"--max-connections", "2", "--keepalive-timeout", "30s"});
    auto a = std::make_unique<RawClient>(server.port());
    RawClient b(server.port());
    CHECK(keepalive_get(*a).status == 200);
    CHECK(keepalive_get(b).status == 200);
    // Mid-request, not idle: the saturation rule lets only idle keep-alive connections go.
    const std::string head = itest::get_request("/");
    REQUIRE(a->send(head.substr(0, 10)));
    REQUIRE(b.send(head.substr(0, 10)));

    RawClient c(server.port());  // connects: the kernel queues it in the backlog
    REQUIRE(c.send(itest::get_request("/")));
    HttpResponse r;
    CHECK(c.read_response(r, false, 700ms) == ReadResult::timeout);

    a.reset();  // one leaves: the waiting client is served
    REQUIRE(c.read_response(r, false, 5s) == ReadResult::ok);
    CHECK(r.status == 200);
    REQUIRE(b.send(head.substr(10)));  // the others were never disturbed
    REQUIRE(b.read_response(r) == ReadResult::ok);
    CHECK(r.status == 200);
    CHECK(keepalive_get(c).status == 200);

    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
}

TEST_CASE("--max-connections 2: the third client waits until one leaves", "[models][cap]") {
    const std::string m = GENERATE(values<std::string>({"fork", "thread"}));
    third_client_waits_at_cap(m);
}

TEST_CASE("--max-connections 2: an idle keep-alive client gives its place up to a waiting one",
          "[models][cap]") {
    const std::string m = GENERATE(values<std::string>({"fork", "thread"}));
    INFO("model: " << m);
    const BigRoot root;
    itest::ServerProcess server(m, root.path(),
                                {"--max-connections", "2", "--keepalive-timeout", "60s"});
    RawClient a(server.port());
    RawClient b(server.port());
    CHECK(keepalive_get(a).status == 200);
    CHECK(keepalive_get(b).status == 200);
    // Without the rule it would wait for the 60 s keep-alive: the deadline is a hang guard.
    CHECK(get_status(server.port(), 10s) == 200);
    // One token for the one waiting client: one idle client let go, not both.
    const int closed = (a.wait_closed(100ms) ? 1 : 0) + (b.wait_closed(100ms) ? 1 : 0);
    CHECK(closed == 1);
    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
}
