// The socket-activation warning: the configured --listen compared with the socket passed.
#include <catch2/catch.hpp>

#include "server/proc/systemd.hpp"
#include "server/sys/listener.hpp"

using server::systemd::listen_mismatch;

TEST_CASE("a socket that is what --listen names gives no warning", "[systemd][activation]") {
    const auto l = server::Listener::bind("127.0.0.1:0");
    CHECK(listen_mismatch(l, l.local_address()) == std::nullopt);
    CHECK(listen_mismatch(l, "127.0.0.1:0") == std::nullopt);  // port 0: any port
    CHECK(listen_mismatch(l, "localhost:0") == std::nullopt);
}

TEST_CASE("a socket that differs from --listen is one line naming both", "[systemd][activation]") {
    const auto l = server::Listener::bind("127.0.0.1:0");
    const std::string port = l.local_address().substr(l.local_address().rfind(':') + 1);
    CHECK(listen_mismatch(l, ":" + port) ==
          "socket activation: serving " + l.local_address() +
              ", the socket systemd passed, not --listen :" + port +
              " (make ListenStream= in the .socket unit and listen agree)");
    CHECK(listen_mismatch(l, "127.0.0.1:1").has_value());
}
