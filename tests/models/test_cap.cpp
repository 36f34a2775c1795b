// --max-connections for the models that open a process or thread per connection: at the cap
// the server stops accepting, the next client waits in the backlog (it is not dropped) and is
// served as soon as a connection ends.
#include <catch2/catch.hpp>

#include <memory>

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

    RawClient c(server.port());  // connects: the kernel queues it in the backlog
    REQUIRE(c.send(itest::get_request("/")));
    HttpResponse r;
    CHECK(c.read_response(r, false, 700ms) == ReadResult::timeout);

    a.reset();  // one leaves: the waiting client is served
    REQUIRE(c.read_response(r, false, 5s) == ReadResult::ok);
    CHECK(r.status == 200);
    CHECK(keepalive_get(b).status == 200);  // the others were never disturbed
    CHECK(keepalive_get(c).status == 200);

    const itest::Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
}

TEST_CASE("--max-connections 2: the third client waits until one leaves", "[models][cap]") {
    const std::string m = GENERATE(values<std::string>({"fork", "thread"}));
    third_client_waits_at_cap(m);
}
