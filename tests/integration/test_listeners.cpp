// Several --listen addresses, for every model: two ports on 127.0.0.1, each answered, also on
// connections open on both at once; the startup line names both.
#include <regex>

#include "suite.hpp"

using namespace itest;

namespace {

// Every port of the startup line "listening on 127.0.0.1:P, 127.0.0.1:Q (...".
std::vector<std::uint16_t> listening_ports(const std::string& output) {
    std::smatch line;
    if (!std::regex_search(output, line, std::regex(R"(listening on ([^(]*) \()"))) return {};
    std::vector<std::uint16_t> ports;
    const std::string list = line[1];
    const std::regex one(R"(127\.0\.0\.1:(\d+))");
    for (auto it = std::sregex_iterator(list.begin(), list.end(), one);
         it != std::sregex_iterator(); ++it)
        ports.push_back(static_cast<std::uint16_t>(std::stoi((*it)[1])));
    return ports;
}

}  // namespace

TEST_CASE("two --listen addresses are both served", "[listeners]") {
    MODEL_UNDER_TEST();
    // The suite's own --listen 127.0.0.1:0, and a second one: two ephemeral ports.
    ServerProcess server(model, web_root().path(), {"--listen", "127.0.0.1:0"});
    const std::vector<std::uint16_t> ports = listening_ports(server.output());
    INFO(server.output_tail());
    REQUIRE(ports.size() == 2);
    CHECK(ports[0] == server.port());
    CHECK(ports[0] != ports[1]);
    for (const std::uint16_t port : ports) {
        INFO("port " << port);
        const HttpResponse r = fetch(port, get_request("/page.html"));
        CHECK(r.status == 200);
        CHECK(r.body == web_root().page_body);
    }
    // A client of each at the same time, both requests sent before either is read, the
    // second listener's first (with Connection: close, so that the loop model, serving one
    // connection at a time, moves on to the other).
    RawClient first(ports[0]);
    RawClient second(ports[1]);
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
