// The TLS configuration an admin relies on, with the real binary: --check-config and startup
// refuse a broken pair in the same one line naming the file, warn of a certificate near its
// end and of pairs no --tls-listen uses; SIGHUP with a broken pair keeps the previous
// certificates (the server goes on serving), and a good one is applied with its warnings.
// Certificates are made with the openssl command, as an admin would.
#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "config_runs.hpp"
#include "suite.hpp"

using namespace itest;

namespace {

struct Pair {
    std::string cert, key;
};

// A self-signed certificate for localhost valid for `days`, and its key, as the README's
// `openssl req` line makes them: <dir>/<name>.crt and <dir>/<name>.key.
Pair make_pair(const std::string& dir, const std::string& name, int days) {
    const Pair p{dir + "/" + name + ".crt", dir + "/" + name + ".key"};
    const std::string cmd =
        "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost"
        " -addext subjectAltName=DNS:localhost -days " +
        std::to_string(days) + " -keyout '" + p.key + "' -out '" + p.cert + "' 2>/dev/null";
    REQUIRE(std::system(cmd.c_str()) == 0);
    return p;
}

std::vector<std::string> tls_flags(const Pair& p) {
    return {"--tls-listen", "127.0.0.1:0", "--tls-cert", p.cert, "--tls-key", p.key};
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
}

// Replaces `path` with `text` at once (a rename, as a certificate tool deploys files).
void replace_file(const std::string& path, const std::string& text) {
    const std::string tmp = path + ".new";
    std::ofstream(tmp, std::ios::binary | std::ios::trunc) << text;
    std::filesystem::rename(tmp, path);
}

// The status line of GET / over HTTPS to `port`, the server's certificate verified against
// `trusted` for the name localhost (openssl s_client, as a client would); "" when none came.
std::string https_status(std::uint16_t port, const std::string& trusted) {
    const std::string cmd =
        "printf 'GET / HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' | "
        "timeout 10 openssl s_client -quiet -connect 127.0.0.1:" +
        std::to_string(port) + " -servername localhost -verify_hostname localhost -CAfile '" +
        trusted + "' -verify_return_error 2>/dev/null";
    std::string line;
    if (FILE* f = ::popen(cmd.c_str(), "r")) {
        char buf[256];
        if (std::fgets(buf, sizeof buf, f) != nullptr) line = buf;
        while (std::fgets(buf, sizeof buf, f) != nullptr) {
        }
        ::pclose(f);
    }
    return line.substr(0, line.find('\r'));
}

// https_status, asked again for up to 3 s until it is `want` (prefork replaces its workers
// after a reload; the other models use the new certificates from the next handshake).
std::string eventually_https(std::uint16_t port, const std::string& trusted,
                             const std::string& want) {
    std::string status;
    for (int i = 0; i < 30 && status != want; ++i) {
        if (i > 0) std::this_thread::sleep_for(100ms);
        status = https_status(port, trusted);
    }
    return status;
}

// The TLS listener's port: the second address of the "listening on" line (the plain one first).
std::uint16_t tls_port_of(const ServerProcess& server) {
    const std::string out = server.output();
    const std::string marker = ", 127.0.0.1:";
    const auto at = out.find(marker, out.find("listening on "));
    if (at == std::string::npos) return 0;
    return static_cast<std::uint16_t>(std::stoi(out.substr(at + marker.size(), 5)));
}

// Waits (up to 10 s) for `text` in what the server logged after its "listening on" line.
bool logged(const ServerProcess& server, const std::string& text) {
    for (int i = 0; i < 100; ++i) {
        const std::string out = server.output();
        if (out.find(text, out.find("listening on ")) != std::string::npos) return true;
        std::this_thread::sleep_for(100ms);
    }
    UNSCOPED_INFO(server.output_tail());
    return false;
}

}  // namespace

TEST_CASE("--check-config and startup load the TLS pairs: one line naming the file",
          "[integration][config][check-config][tls]") {
    ScratchDir d;
    const std::string www = d.dir("www", 0755);
    const Pair good = make_pair(d.path, "good", 90);
    const Pair other = make_pair(d.path, "other", 90);
    const std::vector<std::string> base = {"--listen", "127.0.0.1:0", "--root", www};
    auto with = [&](std::vector<std::string> more) {
        more.insert(more.begin(), base.begin(), base.end());
        return more;
    };
    SECTION("a good pair, also on a server without plain HTTP") {
        for (const char* plain : {"127.0.0.1:0", "none"}) {
            std::vector<std::string> args = tls_flags(good);
            args.insert(args.end(), {"--root", www, "--listen", plain, "--check-config"});
            const Run r = run_polyhttpd(args);
            INFO("output: " << r.output);
            CHECK(r.status == 0);
            CHECK(r.output == "configuration OK\n");
        }
    }
    SECTION("a missing key file") {
        both_refuse(with(tls_flags({good.cert, d.path + "/none.key"})),
                    "tls: " + d.path + "/none.key: cannot read: No such file or directory");
    }
    SECTION("a key that is not the certificate's") {
        both_refuse(with(tls_flags({good.cert, other.key})),
                    "tls: " + other.key + ": the key does not match the certificate " + good.cert);
    }
    SECTION("a certificate expiring within 14 days: a warning, and the check passes") {
        const Pair soon = make_pair(d.path, "soon", 7);
        std::vector<std::string> args = with(tls_flags(soon));
        args.push_back("--check-config");
        const Run r = run_polyhttpd(args);
        INFO("output: " << r.output);
        CHECK(r.status == 0);
        CHECK(r.output.rfind(
                  "polyhttpd: warning: tls: " + soon.cert + ": the certificate expires on ", 0) ==
              0);
        CHECK(r.output.ends_with(" UTC\nconfiguration OK\n"));
    }
    SECTION("pairs without --tls-listen: unused, a warning") {
        const Run r =
            run_polyhttpd(with({"--tls-cert", good.cert, "--tls-key", good.key, "--check-config"}));
        CHECK(r.status == 0);
        CHECK(r.output ==
              "polyhttpd: warning: --tls-cert and --tls-key are unused: no --tls-listen\n"
              "configuration OK\n");
    }
    SECTION("a key only root reads, with --user nobody: read before privileges drop") {
        if (!running_as_root()) return;
        REQUIRE(::chmod(good.key.c_str(), 0600) == 0);
        std::vector<std::string> args = with(tls_flags(good));
        args.insert(args.end(), {"--user", "nobody", "--check-config"});
        const Run r = run_polyhttpd(args);
        INFO("output: " << r.output);
        CHECK(r.status == 0);
        CHECK(r.output == "configuration OK\n");
    }
}

TEST_CASE("SIGHUP with a broken pair keeps the previous certificates",
          "[integration][config][tls]") {
    MODEL_UNDER_TEST();
    ScratchDir d;
    // Both near their end: each load warns. The server reads site.crt/site.key.
    const Pair first = make_pair(d.path, "first", 7);
    const Pair second = make_pair(d.path, "second", 7);
    const Pair site{d.path + "/site.crt", d.path + "/site.key"};
    replace_file(site.cert, slurp(first.cert));
    replace_file(site.key, slurp(first.key));
    std::vector<std::string> flags = standard_flags();
    const auto tls = tls_flags(site);
    flags.insert(flags.end(), tls.begin(), tls.end());
    ServerProcess server(model, web_root().path(), flags);
    const std::uint16_t tls_port = tls_port_of(server);
    REQUIRE(tls_port != 0);
    const std::string warning = "tls: " + site.cert + ": the certificate expires on ";
    // Startup names the certificate and warns, after the line that says where it listens.
    CHECK(logged(server, "tls: " + site.cert + " for localhost"));
    CHECK(logged(server, warning));
    CHECK(https_status(tls_port, first.cert) == "HTTP/1.1 200 OK");

    // The second certificate with the first key: refused, the first pair still served.
    replace_file(site.cert, slurp(second.cert));
    CHECK(reload(server,
                 "reload failed, keeping the previous certificates and the running "
                 "configuration: tls: " +
                     site.key + ": the key does not match the certificate " + site.cert));
    CHECK(server.running());
    CHECK(fetch(server.port(), get_request("/")).status == 200);
    CHECK(https_status(tls_port, first.cert) == "HTTP/1.1 200 OK");

    // Its own key: applied, with the warning; new handshakes get the second certificate.
    replace_file(site.key, slurp(second.key));
    CHECK(reload(server, "reload: " + warning));
    CHECK(eventually_https(tls_port, second.cert, "HTTP/1.1 200 OK") == "HTTP/1.1 200 OK");
    check_exit(server.stop(stop_grace), server);
}
