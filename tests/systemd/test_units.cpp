// The shipped deployment files: systemd units (checked by systemd-analyze itself), the
// logrotate snippet, the Kubernetes manifest and the Dockerfile.
#include <fstream>
#include <regex>

#include <catch2/catch.hpp>

#include "daemon.hpp"

using namespace systest;
namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p);
    REQUIRE(in.good());
    return {std::istreambuf_iterator<char>(in), {}};
}

std::string replace_all(std::string s, const std::string& from, const std::string& to) {
    for (auto pos = s.find(from); pos != std::string::npos; pos = s.find(from, pos + to.size()))
        s.replace(pos, from.size(), to);
    return s;
}

void check_lines(const std::string& text, const std::vector<std::string>& lines) {
    for (const auto& line : lines) {
        CAPTURE(line);
        CHECK(std::regex_search(text, std::regex("(^|\n)" + line + "(\n|$)")));
    }
}

// systemd-analyze verify on the units in `dir`, which must say nothing: it exits 0 on unknown
// keys, so a warning is a failure here.
bool verify(const TempDir& dir, const std::string& units) {
    std::string out;
    const int rc = run_command({"/bin/sh", "-c",
                                "cd '" + dir.path.string() + "' && systemd-analyze verify " +
                                    "--man=no " + units + " 2>&1"},
                               out);
    INFO(out);
    CHECK(out.empty());
    return rc == 0;
}

}  // namespace

TEST_CASE("systemd-analyze verify accepts the units and the https drop-in without a warning",
          "[units]") {
    if (!have_program("systemd-analyze")) {
        WARN("systemd-analyze is not installed (Debian package systemd): units not verified");
        return;
    }
    // verify insists that ExecStart= exists: point a copy at the binary under test.
    TempDir dir;
    const std::string service = slurp(source_dir() / "config/polyhttpd.service");
    dir.write("polyhttpd.service", replace_all(service, "/usr/local/bin/polyhttpd", binary()));
    dir.write("polyhttpd.socket", slurp(source_dir() / "config/polyhttpd.socket"));
    dir.write("polyhttpd-https.socket", slurp(source_dir() / "config/polyhttpd-https.socket"));
    CHECK(verify(dir, "./polyhttpd.service ./polyhttpd.socket ./polyhttpd-https.socket"));
    // The HTTPS drop-in, as systemd reads it: after the unit, in the same [Service] section.
    TempDir https;
    const std::string dropin = slurp(source_dir() / "config/polyhttpd-https.conf");
    https.write("polyhttpd.service",
                replace_all(service + "\n" + dropin, "/usr/local/bin/polyhttpd", binary()));
    https.write("polyhttpd-https.socket", slurp(source_dir() / "config/polyhttpd-https.socket"));
    CHECK(verify(https, "./polyhttpd.service ./polyhttpd-https.socket"));
}

TEST_CASE("the https socket unit names its socket https and feeds polyhttpd.service",
          "[units][tls]") {
    const std::string https = slurp(source_dir() / "config/polyhttpd-https.socket");
    check_lines(https, {"ListenStream=127.0.0.1:8443", "FileDescriptorName=https",
                        "Service=polyhttpd.service", "Accept=no", "WantedBy=sockets.target"});
    const std::string plain = slurp(source_dir() / "config/polyhttpd.socket");
    check_lines(plain, {"FileDescriptorName=http"});
}

TEST_CASE("the https drop-in passes the pair as credentials, on the shipped command line",
          "[units][tls]") {
    const std::string dropin = slurp(source_dir() / "config/polyhttpd-https.conf");
    check_lines(dropin,
                {R"(\[Service\])", "LoadCredential=tls.crt:/etc/polyhttpd/tls/fullchain.pem",
                 "LoadCredential=tls.key:/etc/polyhttpd/tls/privkey.pem", "ExecStart="});
    // Its ExecStart= is the service's with the pair added, so the two cannot drift apart.
    const std::string service = slurp(source_dir() / "config/polyhttpd.service");
    std::smatch start;
    REQUIRE(std::regex_search(service, start, std::regex("\nExecStart=(.+)\n")));
    check_lines(dropin, {"ExecStart=" +
                         std::regex_replace(start[1].str(), std::regex(R"([.[\]])"), R"(\$&)") +
                         " --tls-cert %d/tls\\.crt --tls-key %d/tls\\.key"});
}

TEST_CASE("the service unit is Type=notify, reloads with SIGHUP and is hardened", "[units]") {
    const std::string unit = slurp(source_dir() / "config/polyhttpd.service");
    check_lines(
        unit,
        {"Type=notify", "ExecStart=/usr/local/bin/polyhttpd --config /etc/polyhttpd/polyhttpd.toml",
         R"(ExecReload=/bin/sh -c 'kill -HUP \$MAINPID')", "KillMode=mixed", "DynamicUser=yes",
         "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes", "NoNewPrivileges=yes",
         "CapabilityBoundingSet=CAP_NET_BIND_SERVICE", "AmbientCapabilities=CAP_NET_BIND_SERVICE",
         "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX", "SystemCallFilter=@system-service",
         "LimitNOFILE=65536", "ReadOnlyPaths=/srv/www", "LogsDirectory=polyhttpd",
         "WatchdogSec=30s"});
    const std::string socket = slurp(source_dir() / "config/polyhttpd.socket");
    check_lines(socket, {"ListenStream=127.0.0.1:8080", "Accept=no", "WantedBy=sockets.target"});
}

TEST_CASE("the example config listens where the socket unit does and serves /srv/www", "[units]") {
    const std::string config = slurp(source_dir() / "config/polyhttpd.toml");
    const std::string socket = slurp(source_dir() / "config/polyhttpd.socket");
    const std::string service = slurp(source_dir() / "config/polyhttpd.service");
    std::smatch listen, stream;
    REQUIRE(std::regex_search(config, listen, std::regex("\nlisten = \"([^\"]*)\"\n")));
    REQUIRE(std::regex_search(socket, stream, std::regex("\nListenStream=(.*)\n")));
    CHECK(listen[1] == stream[1]);
    check_lines(config, {R"(root = "/srv/www")", "allow-system-root = false"});
    check_lines(service, {"ReadOnlyPaths=/srv/www"});
}

TEST_CASE("the logrotate snippet renames and signals USR1 instead of copytruncate", "[units]") {
    const std::string text = slurp(source_dir() / "config/polyhttpd.logrotate");
    CHECK(text.find("copytruncate\n") == std::string::npos);
    CHECK(text.find("systemctl kill --signal=USR1 --kill-who=main polyhttpd.service") !=
          std::string::npos);
    if (!have_program("logrotate")) {
        WARN("logrotate is not installed: the snippet's syntax is not checked");
        return;
    }
    TempDir dir;
    const std::string conf =
        dir.write("lr.conf", replace_all(text, "/var/log/polyhttpd/", dir.path.string() + "/"));
    dir.write("access.log", "line\n");
    std::string out;
    const int rc = run_command({"logrotate", "--debug", "--state", dir.path / "state", conf}, out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("error") == std::string::npos);
}

TEST_CASE("the Kubernetes manifest has probes, limits and a non-root user", "[units]") {
    const std::string text = slurp(source_dir() / "config/k8s.yaml");
    for (const char* key :
         {"kind: Deployment", "kind: Service", "readinessProbe:", "livenessProbe:", "limits:",
          "requests:", "runAsNonRoot: true", "containerPort: 8080", "path: /metrics"}) {
        CAPTURE(key);
        CHECK(text.find(key) != std::string::npos);
    }
    CHECK(text.find('\t') == std::string::npos);  // YAML forbids tabs for indentation
}

TEST_CASE("the Dockerfile builds with install-deps.sh and runs unprivileged", "[units]") {
    const std::string text = slurp(source_dir() / "Dockerfile");
    check_lines(text, {"FROM debian:12 AS build", "FROM debian:12-slim", "USER polyhttpd",
                       "EXPOSE 8080 8443", R"(VOLUME \["/srv/www"\])"});
    CHECK(text.find("scripts/install-deps.sh") != std::string::npos);
    CHECK(text.find("HEALTHCHECK") != std::string::npos);
    const std::string ignore = slurp(source_dir() / ".dockerignore");
    CHECK(ignore.find("build") != std::string::npos);
}
