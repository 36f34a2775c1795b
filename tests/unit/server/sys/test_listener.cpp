// Listener: binding the --listen forms, ephemeral ports and the error for a bad address.
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <catch2/catch.hpp>

#include "server/sys/listener.hpp"

TEST_CASE("port 0 binds an ephemeral port and reports it", "[listener]") {
    const auto l = server::Listener::bind("127.0.0.1:0");
    REQUIRE(l.fd() >= 0);
    const std::string& addr = l.local_address();
    CHECK(addr.rfind("127.0.0.1:", 0) == 0);
    CHECK(addr != "127.0.0.1:0");
}

TEST_CASE("IPv6 loopback in brackets", "[listener]") {
    // Some sandboxes have no IPv6: skip only that case, loudly.
    const int probe = ::socket(AF_INET6, SOCK_STREAM, 0);
    if (probe < 0) {
        WARN("no IPv6 on this machine; [::1] binding not exercised");
        return;
    }
    ::close(probe);
    const auto l = server::Listener::bind("[::1]:0");
    CHECK(l.local_address().rfind("[::1]:", 0) == 0);
}

TEST_CASE("a taken port and a bad address fail with the address in the message", "[listener]") {
    const auto first = server::Listener::bind("127.0.0.1:0");
    try {
        server::Listener::bind(first.local_address());
        FAIL("binding a taken port succeeded");
    } catch (const std::system_error& e) {
        CHECK(std::string(e.what()).find(first.local_address()) != std::string::npos);
    }
    CHECK_THROWS_WITH(server::Listener::bind("example.invalid:80"),
                      Catch::Contains("example.invalid:80"));
}

TEST_CASE("--defer-accept sets TCP_DEFER_ACCEPT on the listener, and 0 clears it", "[listener]") {
    const auto l = server::Listener::bind("127.0.0.1:0");
    const auto deferred = [&] {
        int secs = -1;
        socklen_t len = sizeof secs;
        REQUIRE(::getsockopt(l.fd(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, &len) == 0);
        return secs;
    };
    CHECK(deferred() == 0);
    REQUIRE(l.set_defer_accept(std::chrono::milliseconds(1500)));
    CHECK(deferred() >= 2);  // rounded up to seconds (the kernel may round further up)
    REQUIRE(l.set_defer_accept(std::chrono::milliseconds(0)));
    CHECK(deferred() == 0);
}

TEST_CASE("--defer-accept on a unix socket is a no-op, not a failure", "[listener]") {
    // On by default: a socket-activated unix listener must not warn at every start.
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    REQUIRE(fd >= 0);
    // Autobind: an abstract name the kernel picks (bind with the family alone).
    const sockaddr sa{.sa_family = AF_UNIX, .sa_data = {}};
    REQUIRE(::bind(fd, &sa, sizeof sa.sa_family) == 0);
    REQUIRE(::listen(fd, 8) == 0);
    const auto l = server::Listener::adopt(fd);
    CHECK(l.set_defer_accept(std::chrono::milliseconds(1000)));
}
