// The shipped deployment files: systemd units (checked by systemd-analyze itself), the
// logrotate snippet, the Kubernetes manifest and the Dockerfile.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>

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

}  // namespace

TEST_CASE("systemd-analyze verify accepts the units without a single warning", "[units]") {
    if (!have_program("systemd-analyze")) {
        WARN("systemd-analyze is not installed (Debian package systemd): units not verified");
        return;
    }
    // verify insists that ExecStart= exists: point a copy at the binary under test.
    TempDir dir;
    const std::string service = slurp(source_dir() / "config/polyhttpd.service");
    dir.write("polyhttpd.service", replace_all(service, "/usr/local/bin/polyhttpd", binary()));
    dir.write("polyhttpd.socket", slurp(source_dir() / "config/polyhttpd.socket"));
    std::string out;
    const int rc = run_command({"/bin/sh", "-c",
                                "cd '" + dir.path.string() +
                                    "' && systemd-analyze verify --man=no ./polyhttpd.service "
                                    "./polyhttpd.socket 2>&1"},
                               out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.empty());  // verify exits 0 on unknown keys; a warning is a failure here
}

TEST_CASE("the service unit is Type=notify, reloads with SIGHUP and is hardened", "[units]") {
    const std::string unit = slurp(source_dir() / "config/polyhttpd.service");
    check_lines(unit, {"Type=notify",
                       "ExecStart=/usr/local/bin/polyhttpd --config /etc/polyhttpd/polyhttpd.toml",
                       R"(ExecReload=/bin/sh -c 'kill -HUP \$MAINPID')", "KillMode=mixed", "DynamicUser=yes",
                       "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
                       "NoNewPrivileges=yes", "CapabilityBoundingSet=CAP_NET_BIND_SERVICE",
                       "AmbientCapabilities=CAP_NET_BIND_SERVICE",
                       "RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX",
                       "SystemCallFilter=@system-service", "LimitNOFILE=65536",
                       "ReadOnlyPaths=/srv/www", "LogsDirectory=polyhttpd", "WatchdogSec=30s"});
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
    const std::string conf = dir.write(
        "lr.conf", replace_all(text, "/var/log/polyhttpd/", dir.path.string() + "/"));
    dir.write("access.log", "line\n");
    std::string out;
    const int rc = run_command({"logrotate", "--debug", "--state", dir.path / "state", conf}, out);
    INFO(out);
    CHECK(rc == 0);
    CHECK(out.find("error") == std::string::npos);
}

TEST_CASE("the Kubernetes manifest has probes, limits and a non-root user", "[units]") {
    const std::string text = slurp(source_dir() / "config/k8s.yaml");
    for (const char* key : {"kind: Deployment", "kind: Service", "readinessProbe:",
                            "livenessProbe:", "limits:", "requests:", "runAsNonRoot: true",
                            "containerPort: 8080", "path: /metrics"}) {
        CAPTURE(key);
        CHECK(text.find(key) != std::string::npos);
    }
    CHECK(text.find('\t') == std::string::npos);  // YAML forbids tabs for indentation
}

TEST_CASE("the Dockerfile builds with install-deps.sh and runs unprivileged", "[units]") {
    const std::string text = slurp(source_dir() / "Dockerfile");
    check_lines(text, {"FROM debian:12 AS build", "FROM debian:12-slim", "USER polyhttpd",
                       "EXPOSE 8080", R"(VOLUME \["/srv/www"\])"});
    CHECK(text.find("scripts/install-deps.sh") != std::string::npos);
    CHECK(text.find("HEALTHCHECK") != std::string::npos);
    const std::string ignore = slurp(source_dir() / ".dockerignore");
    CHECK(ignore.find("build") != std::string::npos);
}
