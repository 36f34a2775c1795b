// The TLS configuration an admin relies on, with the real binary: --check-config and startup
// refuse a broken pair in the same one line naming the file, warn of a certificate near its
// end and of pairs no --tls-listen uses; SIGHUP with a broken pair keeps the previous
// certificates (the server goes on serving), and a good one is applied with its warnings.
// Certificates are made with the openssl command, as an admin would.
#include <sys/stat.h>

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
    const Pair pair = make_pair(d.path, "site", 7);  // near its end: warned of at each load
    const Pair other = make_pair(d.path, "other", 90);
    const std::string good_key = slurp(pair.key);
    std::vector<std::string> flags = standard_flags();
    const auto tls = tls_flags(pair);
    flags.insert(flags.end(), tls.begin(), tls.end());
    ServerProcess server(model, web_root().path(), flags);
    const std::string warning = "tls: " + pair.cert + ": the certificate expires on ";
    // Startup names the certificate and warns, after the line that says where it listens.
    CHECK(logged(server, "tls: " + pair.cert + " for localhost"));
    CHECK(logged(server, warning));

    replace_file(pair.key, slurp(other.key));
    CHECK(reload(server,
                 "reload failed, keeping the previous certificates and the running "
                 "configuration: tls: " +
                     pair.key + ": the key does not match the certificate " + pair.cert));
    CHECK(server.running());
    CHECK(fetch(server.port(), get_request("/")).status == 200);

    replace_file(pair.key, good_key);
    CHECK(reload(server, "reload: " + warning));
    CHECK(server.output().find("configuration reloaded") != std::string::npos);
    CHECK(fetch(server.port(), get_request("/")).status == 200);
    check_exit(server.stop(stop_grace), server);
}
