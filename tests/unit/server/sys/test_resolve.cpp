// resolve_listen and listens_as_configured: what --listen names, found without binding, and
// the comparison socket activation warns with.
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "server/sys/listener.hpp"

using server::listens_as_configured;
using server::resolve_listen;

TEST_CASE("a numeric --listen resolves to itself", "[listener][resolve]") {
    const auto r = resolve_listen("127.0.0.1:8080");
    REQUIRE(r.all.size() == 1);
    CHECK(r.error.empty());
    CHECK(server::format_address(&r.all.front().addr) == "127.0.0.1:8080");
    const auto any = resolve_listen(":9000");
    REQUIRE(any.all.size() == 1);
    CHECK(server::format_address(&any.all.front().addr) == "0.0.0.0:9000");
}

// What a peer that reset before getpeername() leaves: no family at all.
TEST_CASE("an address of no family is written as -", "[listener][resolve]") {
    const sockaddr_storage none{};
    CHECK(server::format_address(&none) == "-");
}

TEST_CASE("a host name resolves to its addresses, and binding takes the first",
          "[listener][resolve]") {
    const auto r = resolve_listen("localhost:0");
    REQUIRE_FALSE(r.all.empty());
    for (const auto& e : r.all) {
        const std::string a = server::format_address(&e.addr);
        CAPTURE(a);
        CHECK((a == "127.0.0.1:0" || a == "[::1]:0"));
    }
    const auto l = server::Listener::bind("localhost:0");
    CHECK(listens_as_configured(l.local_address(), r));
    const std::string first = server::format_address(&r.all.front().addr);
    CHECK(l.local_address().substr(0, first.size() - 1) == first.substr(0, first.size() - 1));
}

TEST_CASE("a name that does not resolve is one line naming --listen", "[listener][resolve]") {
    const auto r = resolve_listen("nohost.invalid:80");
    CHECK(r.all.empty());
    CHECK_THAT(r.error, Catch::StartsWith("--listen: cannot resolve 'nohost.invalid:80': "));
    CHECK(r.error.find('\n') == std::string::npos);
}

TEST_CASE("listens_as_configured compares address and port; port 0 matches any port",
          "[listener][resolve]") {
    CHECK(listens_as_configured("127.0.0.1:8080", resolve_listen("127.0.0.1:8080")));
    CHECK_FALSE(listens_as_configured("127.0.0.1:8081", resolve_listen("127.0.0.1:8080")));
    CHECK_FALSE(listens_as_configured("0.0.0.0:8080", resolve_listen("127.0.0.1:8080")));
    CHECK_FALSE(listens_as_configured("[::]:8080", resolve_listen(":8080")));
    CHECK(listens_as_configured("127.0.0.1:40000", resolve_listen("127.0.0.1:0")));
    CHECK_FALSE(listens_as_configured("127.0.0.2:40000", resolve_listen("127.0.0.1:0")));
    CHECK_FALSE(listens_as_configured("unix:/run/x.sock", resolve_listen("127.0.0.1:0")));
}
