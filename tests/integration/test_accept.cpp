// Accepting with the default settings, for every model: TCP_DEFER_ACCEPT is on (1 s), so a
// client that connects and sends nothing is not accepted and holds no place, while a client
// with a request is served at once. About --listen's plain listeners: it speaks plain HTTP
// whatever the suite's transport (over TLS the ClientHello is the first data, the same case).
#include "suite.hpp"

using namespace itest;

TEST_CASE("by default a client that sends nothing does not take the last place",
          "[listeners][defer]") {
    MODEL_UNDER_TEST();
    // One place, and a header timeout far beyond the wait below: without the deferred accept
    // the silent client is accepted first (it is first in the queue) and holds the place for
    // the whole 30 s, and the client with a request is not answered within 10 s.
    ServerProcess server(model, web_root().path(),
                         {"--max-connections", "1", "--header-timeout", "30s"}, Transport::plain);
    RawClient silent(server.plain_port(), ClientOptions{.transport = Transport::plain});
    RawClient asking(server.plain_port(), ClientOptions{.transport = Transport::plain});
    REQUIRE(asking.send(get_request("/page.html", "Connection: close\r\n")));
    HttpResponse r;
    const ReadResult res = asking.read_response(r, false, 10s);
    INFO(to_string(res) << ": " << asking.error() << "\n" << server.output_tail());
    REQUIRE(res == ReadResult::ok);
    CHECK(r.status == 200);
    CHECK(r.body == web_root().page_body);
    // The silent client is still there, unanswered (the kernel hands it over after the
    // period, and the header timeout starts then): it is served when it speaks.
    REQUIRE(silent.send(get_request("/page.html", "Connection: close\r\n")));
    HttpResponse late;
    CHECK(silent.read_response(late, false, 10s) == ReadResult::ok);
    CHECK(late.status == 200);
    check_exit(server.stop(stop_grace), server);
}
