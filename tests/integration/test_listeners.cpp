// Several --listen addresses, for every model: two ports on 127.0.0.1, each answered, also on
// connections open on both at once; the startup line names both. About --listen's plain
// listeners, so it speaks plain HTTP whatever the suite's transport (test_tls.cpp has plain
// and TLS listeners side by side).
#include "suite.hpp"

using namespace itest;

namespace {

HttpResponse plain_fetch(std::uint16_t port, std::string_view request) {
    RawClient c(port, ClientOptions{.transport = Transport::plain});
    return roundtrip(c, request);
}

}  // namespace

TEST_CASE("two --listen addresses are both served", "[listeners]") {
    MODEL_UNDER_TEST();
    // The suite's own --listen 127.0.0.1:0, and a second one: two ephemeral ports.
    ServerProcess server(model, web_root().path(), {"--listen", "127.0.0.1:0"}, Transport::plain);
    const std::vector<std::uint16_t>& ports = server.ports();
    INFO(server.output_tail());
    REQUIRE(ports.size() == 2);
    CHECK(ports[0] == server.port());
    CHECK(ports[0] != ports[1]);
    for (const std::uint16_t port : ports) {
        INFO("port " << port);
        const HttpResponse r = plain_fetch(port, get_request("/page.html"));
        CHECK(r.status == 200);
        CHECK(r.body == web_root().page_body);
    }
    // A client of each at the same time, both requests sent before either is read, the
    // second listener's first (with Connection: close, so that the loop model, serving one
    // connection at a time, moves on to the other).
    RawClient first(ports[0], ClientOptions{.transport = Transport::plain});
    RawClient second(ports[1], ClientOptions{.transport = Transport::plain});
    const std::string close_request = get_request("/page.html", "Connection: close\r\n");
    REQUIRE(second.send(close_request));
    REQUIRE(first.send(close_request));
    for (RawClient* c : {&second, &first}) {
        HttpResponse r;
        CHECK(c->read_response(r) == ReadResult::ok);
        CHECK(r.status == 200);
    }
    check_exit(server.stop(stop_grace), server);
}
