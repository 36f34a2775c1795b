// Socket activation (sd_listen_fds) for every model, started by systemd's own test tool the
// way a .socket unit would start the service: systemd-socket-activate binds, waits for the
// first connection, then execs polyhttpd with the socket as fd 3 and $LISTEN_FDS set.
#include <signal.h>
#include <sys/wait.h>

#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "daemon.hpp"

using namespace systest;

namespace {

bool have_activate() {
    if (have_program("systemd-socket-activate")) return true;
    WARN("systemd-socket-activate is not installed (Debian package systemd): skipped");
    return false;
}

}  // namespace

TEST_CASE("every model serves the socket systemd passes", "[activation]") {
    if (!have_activate()) return;
    const std::string model = GENERATE(from_range(model_names()));
    INFO("model: " << model);
    TempDir root;
    root.write("index.html", "activated\n");
    HttpResult r;
    std::string log;
    // The port is free a moment before the tool binds it; retry the rare lost race.
    for (int attempt = 0; attempt < 3 && r.status == 0; ++attempt) {
        const std::uint16_t port = free_port();
        auto argv = server_argv(model, root.path.string(), {"--listen", "127.0.0.1:1"});
        argv.insert(argv.begin(),
                    {"systemd-socket-activate", "-l", "127.0.0.1:" + std::to_string(port)});
        Daemon d(argv);
        if (!d.wait_output("Listening on", 5s)) continue;
        r = http_get(port, "/");
        d.wait_output("listening on", 5s);
        log = d.output();
        CHECK(log.find("listening on 127.0.0.1:" + std::to_string(port) + " (socket activation") !=
              std::string::npos);
        d.signal(SIGTERM);
        CHECK(d.wait_exit(10s).has_value());
    }
    INFO(log << r.error);
    CHECK(r.status == 200);
    CHECK(r.body == "activated\n");
}

TEST_CASE("a unix stream socket passed by systemd is served too", "[activation]") {
    if (!have_activate()) return;
    TempDir dir;
    dir.write("root/index.html", "over unix\n");
    const std::string sock = (dir.path / "http.sock").string();
    auto argv = server_argv("epoll-et", (dir.path / "root").string());
    argv.insert(argv.begin(), {"systemd-socket-activate", "-l", sock});
    Daemon d(argv);
    REQUIRE(d.wait_output("Listening on", 5s));
    const HttpResult r = http_get_unix(sock, "/");
    INFO(d.output() << r.error);
    CHECK(r.status == 200);
    CHECK(r.body == "over unix\n");
    CHECK(d.wait_output("listening on unix:" + sock, 5s));
}

namespace {

// A self-signed certificate for localhost and 127.0.0.1 with its key, made by `openssl req` in
// `dir`; false (with a warning) when there is no openssl command, or no curl to talk TLS.
bool make_certificate(const TempDir& dir, std::string& cert, std::string& key) {
    for (const char* tool : {"openssl", "curl"}) {
        if (!have_program(tool)) {
            WARN(tool << " is not installed (Debian package " << tool << "): skipped");
            return false;
        }
    }
    cert = (dir.path / "cert.pem").string();
    key = (dir.path / "key.pem").string();
    std::string out;
    const int rc = run_command(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
         "-nodes", "-days", "30", "-subj", "/CN=localhost", "-addext",
         "subjectAltName=DNS:localhost,IP:127.0.0.1", "-keyout", key, "-out", cert},
        out);
    INFO(out);
    REQUIRE(rc == 0);
    return true;
}

// "STATUS BODY" of GET / over TLS on 127.0.0.1:port by curl, trusting only `cert` (self-signed:
// its own CA); the status is 000 with curl's error instead of the body when none came.
std::string https_get(const TempDir& dir, const std::string& cert, std::uint16_t port) {
    const std::string p = std::to_string(port);
    const std::string body = (dir.path / "https.body").string();
    std::string out;
    run_command(
        {"curl", "-sS", "-m", "10", "--cacert", cert, "--resolve", "localhost:" + p + ":127.0.0.1",
         "-o", body, "-w", "%{http_code}", "https://localhost:" + p + "/"},
        out);
    return out == "200" ? out + " " + dir.read("https.body") : out;
}

}  // namespace

TEST_CASE("every model serves two sockets systemd passes, http plain and https TLS",
          "[activation][listeners][tls]") {
    if (!have_activate()) return;
    TempDir root, pki;  // the key and curl's output out of the web root
    std::string cert, key;
    if (!make_certificate(pki, cert, key)) return;
    const std::string model = GENERATE(from_range(model_names()));
    INFO("model: " << model);
    root.write("index.html", "activated\n");
    HttpResult first, plain_to_tls;
    std::string log, https;
    // The ports are free a moment before the tool binds them; retry the rare lost race.
    for (int attempt = 0; attempt < 3 && first.status == 0; ++attempt) {
        const std::uint16_t a = free_port(), b = free_port();
        if (a == b) continue;
        const std::string pa = "127.0.0.1:" + std::to_string(a);
        const std::string pb = "127.0.0.1:" + std::to_string(b);
        // --listen and --tls-listen name them, so no mismatch is warned about.
        auto argv =
            server_argv(model, root.path.string(),
                        {"--listen", pa, "--tls-listen", pb, "--tls-cert", cert, "--tls-key", key});
        argv.insert(argv.begin(),
                    {"systemd-socket-activate", "-l", pa, "-l", pb, "--fdname=http:https"});
        Daemon d(argv);
        if (!d.wait_output("Listening on", 5s)) continue;
        first = http_get(a, "/");  // starts the server
        d.wait_output("listening on", 5s);
        https = https_get(pki, cert, b);
        plain_to_tls = http_get(b, "/");
        log = d.output();
        CHECK(log.find("systemd passed " + pa + " (http: plain HTTP), " + pb + " (https: HTTPS)") !=
              std::string::npos);
        CHECK(log.find("listening on " + pa + ", " + pb + " (socket activation") !=
              std::string::npos);
        CHECK(log.find("socket activation: ") == std::string::npos);  // no warning
        d.signal(SIGTERM);
        CHECK(d.wait_exit(10s).has_value());
    }
    INFO(log << first.error);
    CHECK(first.status == 200);
    CHECK(first.body == "activated\n");
    INFO(https);
    CHECK(https == "200 activated\n");  // a TLS handshake with our certificate, then HTTP
    CHECK(plain_to_tls.status != 200);  // and no plain HTTP on that socket
}

TEST_CASE("an https socket passed without a certificate refuses startup in one line",
          "[activation][tls]") {
    if (!have_activate()) return;
    TempDir root;
    root.write("index.html", "never served\n");
    std::string log;
    std::optional<int> status;
    for (int attempt = 0; attempt < 3 && !status; ++attempt) {
        const std::uint16_t port = free_port();
        auto argv = server_argv("epoll-et", root.path.string());
        argv.insert(argv.begin(), {"systemd-socket-activate", "-l",
                                   "127.0.0.1:" + std::to_string(port), "--fdname=https"});
        Daemon d(argv);
        if (!d.wait_output("Listening on", 5s)) continue;
        const HttpResult r = http_get(port, "/");  // starts the server, which refuses
        CHECK(r.status == 0);
        status = d.wait_exit(10s);
        log = d.output();
    }
    INFO(log);
    REQUIRE(status.has_value());
    CHECK(WIFEXITED(*status));
    CHECK(WEXITSTATUS(*status) == 1);
    const std::string line = "socket activation: systemd passed the TLS socket \"https\"";
    const auto at = log.find(line);
    REQUIRE(at != std::string::npos);
    CHECK(log.find(line, at + 1) == std::string::npos);  // said once
    CHECK(log.find("no certificate is configured: give tls-cert and tls-key") != std::string::npos);
    CHECK(log.find("listening on") == std::string::npos);
}
