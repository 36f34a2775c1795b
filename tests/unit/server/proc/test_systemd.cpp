// The socket-activation warnings: the configured --listen addresses compared with the sockets
// passed, both ways (a socket no address names; an address no socket serves).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "server/proc/systemd.hpp"
#include "server/sys/listener_set.hpp"

using server::systemd::listen_mismatch;
using server::systemd::listen_unserved;
using List = std::vector<std::string>;

TEST_CASE("a socket that is what --listen names gives no warning", "[systemd][activation]") {
    const auto l = server::Listener::bind("127.0.0.1:0");
    CHECK(listen_mismatch(l, {l.local_address()}) == std::nullopt);
    CHECK(listen_mismatch(l, {"127.0.0.1:0"}) == std::nullopt);  // port 0: any port
    CHECK(listen_mismatch(l, {"localhost:0"}) == std::nullopt);
    CHECK(listen_mismatch(l, {"127.0.0.1:1", l.local_address()}) == std::nullopt);  // any one
}

TEST_CASE("a socket that differs from --listen is one line naming both", "[systemd][activation]") {
    const auto l = server::Listener::bind("127.0.0.1:0");
    const std::string port = l.local_address().substr(l.local_address().rfind(':') + 1);
    CHECK(listen_mismatch(l, {":" + port}) ==
          "socket activation: serving " + l.local_address() +
              ", the socket systemd passed, not --listen :" + port +
              " (make ListenStream= in the .socket unit and listen agree)");
    CHECK(listen_mismatch(l, {"127.0.0.1:1", "127.0.0.1:2"}) ==
          "socket activation: serving " + l.local_address() +
              ", the socket systemd passed, not --listen 127.0.0.1:1, 127.0.0.1:2 (make "
              "ListenStream= in the .socket unit and listen agree)");
}

TEST_CASE("a --listen address that no passed socket serves is one line",
          "[systemd][activation][listeners]") {
    const auto passed = server::ListenerSet::bind({"127.0.0.1:0", "127.0.0.1:0"});
    CHECK(listen_unserved(passed, passed[1].local_address()) == std::nullopt);
    CHECK(listen_unserved(passed, "127.0.0.1:0") == std::nullopt);
    CHECK(listen_unserved(passed, "127.0.0.1:1") ==
          "socket activation: --listen 127.0.0.1:1 is not served: systemd passed no socket on "
          "it (add a ListenStream= to the .socket unit)");
}

namespace {

// In a forked child (the descriptors 3 and 4 and the environment are the process's): the
// sockets placed as systemd places them, take_listeners() checked; exit status 0 when all
// held, else the number of the first check that failed.
int take_in_child(const server::ListenerSet& sockets, const char* names) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        for (int i = 0; i < 2; ++i) {
            if (::dup2(sockets[static_cast<std::size_t>(i)].fd(), 3 + i) != 3 + i) ::_exit(10);
        }
        ::setenv("LISTEN_PID", std::to_string(::getpid()).c_str(), 1);
        ::setenv("LISTEN_FDS", "2", 1);
        if (names != nullptr) ::setenv("LISTEN_FDNAMES", names, 1);
        const server::ListenerSet got = server::systemd::take_listeners();
        if (got.size() != 2) ::_exit(1);
        for (std::size_t i = 0; i < 2; ++i) {
            if (got[i].fd() != 3 + static_cast<int>(i)) ::_exit(2);
            if (got[i].local_address() != sockets[i].local_address()) ::_exit(3);
            if (got[i].kind() != server::ListenerKind::plain) ::_exit(4);
        }
        const bool named =
            names == nullptr || (got[0].name() == "http" && got[1].name() == "https");
        if (!named) ::_exit(5);
        if (::getenv("LISTEN_FDS") != nullptr) ::_exit(6);  // children never claim them
        ::_exit(0);
    }
    int status = -1;
    ::waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 100;
}

}  // namespace

TEST_CASE("take_listeners adopts every socket systemd passes, with its name",
          "[systemd][activation][listeners]") {
    const auto sockets = server::ListenerSet::bind({"127.0.0.1:0", "127.0.0.1:0"});
    CHECK(take_in_child(sockets, "http:https") == 0);
    CHECK(take_in_child(sockets, nullptr) == 0);  // unnamed: still adopted
}
