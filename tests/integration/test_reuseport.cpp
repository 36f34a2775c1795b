// --reuseport with --workers 2, for every model: the event loops each accept on a SO_REUSEPORT
// socket of their own, and the kernel hashes every new connection to one of them, so a loop
// that did not accept on its socket would leave about half the clients unanswered; the other
// models do not read the option and must serve as ever. Then a reload (SIGHUP) and a clean stop.
// Plain HTTP whatever the suite's transport: it is about --listen's sockets.
#include <memory>
#include <vector>

#include "config_runs.hpp"
#include "suite.hpp"

using namespace itest;

namespace {

// 40 clients connected at once (40 source ports: both sockets get some, but for a chance of
// 2^-39), then each asks for the page: every one must be answered.
void every_client_answered(std::uint16_t port) {
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 40; ++i)
        clients.push_back(
            std::make_unique<RawClient>(port, ClientOptions{.transport = Transport::plain}));
    for (auto& c : clients) REQUIRE(c->send(get_request("/page.html", "Connection: close\r\n")));
    int answered = 0;
    for (auto& c : clients) {
        HttpResponse r;
        if (c->read_response(r) == ReadResult::ok && r.status == 200) ++answered;
    }
    CHECK(answered == 40);
}

}  // namespace

TEST_CASE("--reuseport --workers 2: every client answered, before and after a reload",
          "[listeners][reuseport]") {
    MODEL_UNDER_TEST();
    ServerProcess server(model, web_root().path(), {"--workers", "2", "--reuseport"},
                         Transport::plain);
    INFO(server.output_tail());
    CHECK(server.output().find("--reuseport:") == std::string::npos);  // no fallback warning
    every_client_answered(server.plain_port());
    CHECK(reload(server, "configuration reloaded"));
    every_client_answered(server.plain_port());
    check_exit(server.stop(stop_grace), server);
}
