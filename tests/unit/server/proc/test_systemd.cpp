// Socket activation: the sockets taken with their names and kinds (FileDescriptorName=https
// is TLS), the refusal of a TLS socket without a certificate, and the warnings comparing
// --listen / --tls-listen with the sockets passed, both ways (a socket no address names; an
// address no socket of its kind serves).
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "server/proc/systemd.hpp"
#include "server/sys/listener_set.hpp"

using server::ListenerKind;
using server::systemd::kind_of_name;
using server::systemd::listen_mismatch;
using server::systemd::listen_unserved;
using List = std::vector<std::string>;

TEST_CASE("FileDescriptorName https or tls makes a TLS socket, any other name a plain one",
          "[systemd][activation][tls]") {
    CHECK(kind_of_name("https") == ListenerKind::tls);
    CHECK(kind_of_name("tls") == ListenerKind::tls);
    CHECK(kind_of_name("http") == ListenerKind::plain);
    CHECK(kind_of_name("") == ListenerKind::plain);
    CHECK(kind_of_name("polyhttpd-https.socket") == ListenerKind::plain);  // systemd's default
    CHECK(kind_of_name("HTTPS") == ListenerKind::plain);                   // names are exact
}

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
        }
        // Named: the second is "https", so TLS; unnamed: both plain.
        const auto second = names == nullptr ? ListenerKind::plain : ListenerKind::tls;
        if (got[0].kind() != ListenerKind::plain || got[1].kind() != second) ::_exit(4);
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

TEST_CASE("take_listeners adopts every socket systemd passes, with its name and kind",
          "[systemd][activation][listeners]") {
    const auto sockets = server::ListenerSet::bind({"127.0.0.1:0", "127.0.0.1:0"});
    CHECK(take_in_child(sockets, "http:https") == 0);
    CHECK(take_in_child(sockets, nullptr) == 0);  // unnamed: still adopted
}

TEST_CASE("the line describing the passed sockets names each with what it serves",
          "[systemd][activation][tls]") {
    server::ListenerSet passed;
    const auto a = server::Listener::bind("127.0.0.1:0");
    const auto b = server::Listener::bind("127.0.0.1:0");
    const std::string pa = a.local_address(), pb = b.local_address();
    passed.add(server::Listener::adopt(::dup(a.fd()), "http"));
    passed.add(server::Listener::adopt(::dup(b.fd()), "https", ListenerKind::tls));
    CHECK(server::systemd::describe_passed(passed) ==
          pa + " (http: plain HTTP), " + pb + " (https: HTTPS)");
    server::ListenerSet unnamed(server::Listener::adopt(::dup(a.fd())));
    CHECK(server::systemd::describe_passed(unnamed) == pa + " (unnamed: plain HTTP)");
}

namespace {

// One plain socket named "http" and one TLS socket named "https", as take_listeners makes
// them from the shipped units.
server::ListenerSet http_and_https() {
    server::ListenerSet bound = server::ListenerSet::bind({"127.0.0.1:0", "127.0.0.1:0"});
    server::ListenerSet set;
    set.add(server::Listener::adopt(::dup(bound[0].fd()), "http"));
    set.add(server::Listener::adopt(::dup(bound[1].fd()), "https", ListenerKind::tls));
    return set;
}

}  // namespace

TEST_CASE("a TLS socket passed without a certificate and key refuses startup in one line",
          "[systemd][activation][tls]") {
    const auto passed = http_and_https();
    config::Config cfg;
    CHECK(server::systemd::tls_without_certificate(passed, cfg) ==
          "socket activation: systemd passed the TLS socket \"https\" (" +
              passed[1].local_address() +
              ") but no certificate is configured: give tls-cert and tls-key (or --tls-cert "
              "and --tls-key), or drop FileDescriptorName=https");
    cfg.tls_cert = {"/etc/polyhttpd/fullchain.pem"};
    CHECK(server::systemd::tls_without_certificate(passed, cfg).has_value());  // no key
    cfg.tls_key = {"/etc/polyhttpd/key.pem"};
    CHECK(server::systemd::tls_without_certificate(passed, cfg) == std::nullopt);
    // Only plain sockets: no certificate needed.
    const server::ListenerSet plain(server::Listener::adopt(::dup(passed[0].fd()), "http"));
    CHECK(server::systemd::tls_without_certificate(plain, config::Config{}) == std::nullopt);
}

TEST_CASE("a TLS socket is compared with --tls-listen, a plain one with --listen",
          "[systemd][activation][tls]") {
    const auto passed = http_and_https();
    const std::string plain = passed[0].local_address(), tls = passed[1].local_address();
    CHECK(listen_mismatch(passed[1], {tls}) == std::nullopt);
    CHECK(listen_mismatch(passed[1], {"127.0.0.1:1"}) ==
          "socket activation: serving " + tls +
              ", the socket systemd passed, not --tls-listen 127.0.0.1:1 (make ListenStream= in "
              "the https .socket unit and tls-listen agree)");
    // Each kind only answers for its own option: the TLS socket does not serve --listen.
    CHECK(listen_unserved(passed, plain) == std::nullopt);
    CHECK(listen_unserved(passed, tls, ListenerKind::tls) == std::nullopt);
    CHECK(listen_unserved(passed, "127.0.0.1:1", ListenerKind::tls) ==
          "socket activation: --tls-listen 127.0.0.1:1 is not served: systemd passed no https "
          "socket on it (add a ListenStream= to the .socket unit with FileDescriptorName=https)");
}

TEST_CASE("an address served by a socket of the other kind says which name to give",
          "[systemd][activation][tls]") {
    const auto passed = http_and_https();
    const std::string plain = passed[0].local_address(), tls = passed[1].local_address();
    CHECK(listen_unserved(passed, plain, ListenerKind::tls) ==
          "socket activation: --tls-listen " + plain +
              " is not served as HTTPS: systemd's socket on it is named \"http\", so it serves "
              "plain HTTP (FileDescriptorName=https makes a socket TLS, any other name plain)");
    CHECK(listen_unserved(passed, tls) ==
          "socket activation: --listen " + tls +
              " is not served as plain HTTP: systemd's socket on it is named \"https\", so it "
              "serves HTTPS (FileDescriptorName=https makes a socket TLS, any other name plain)");
}
