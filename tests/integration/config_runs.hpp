// What the configuration tests (test_config.cpp, test_config_tls.cpp) share: the binary run
// to its end with given flags (--check-config and refused starts), a scratch directory, and
// SIGHUP with the line the reload logs. Catch2's (main) thread only.
#pragma once

#include <grp.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "suite.hpp"

namespace itest {

// Sends SIGHUP and waits (up to 10 s) for `expect` in what the server logs after it.
inline bool reload(ServerProcess& server, const std::string& expect) {
    const std::size_t from = server.output().size();
    server.send_signal(SIGHUP);
    for (int i = 0; i < 100; ++i) {
        if (server.output().find(expect, from) != std::string::npos) return true;
        std::this_thread::sleep_for(100ms);
    }
    UNSCOPED_INFO(server.output_tail());
    return false;
}

struct Run {
    int status = -1;  // exit status; -1 when killed
    std::string output;
};

// The binary with args, stdout and stderr together, to the end; as `nobody` when asked (the
// child switches before exec, as a service manager would), from `cwd`.
inline Run run_polyhttpd(const std::vector<std::string>& args, bool as_nobody = false,
                         const std::string& cwd = "/tmp") {
    std::vector<std::string> argv = {POLYHTTPD_BINARY};
    argv.insert(argv.end(), args.begin(), args.end());
    int p[2];
    REQUIRE(::pipe(p) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(p[1], 1);
        ::dup2(p[1], 2);
        ::close(p[0]);
        ::close(p[1]);
        const bool ok =
            ::chdir(cwd.c_str()) == 0 &&
            (!as_nobody || (::setgroups(0, nullptr) == 0 && ::setresgid(65534, 65534, 65534) == 0 &&
                            ::setresuid(65534, 65534, 65534) == 0));
        std::vector<char*> cargv;
        for (auto& a : argv) cargv.push_back(a.data());
        cargv.push_back(nullptr);
        // A server that starts where a refusal was expected must not hang the suite: the alarm
        // ends it (status -1, a failure), long after any refusal would have come.
        ::alarm(60);
        if (ok) ::execv(cargv[0], cargv.data());
        ::_exit(127);
    }
    ::close(p[1]);
    Run r;
    char buf[4096];
    for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;)
        r.output.append(buf, static_cast<std::size_t>(n));
    ::close(p[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) r.status = WEXITSTATUS(status);
    return r;
}

// A scratch directory every user can search, removed at scope exit.
struct ScratchDir {
    std::string path;
    ScratchDir() {
        char tmpl[] = "/tmp/polyhttpd-check-XXXXXX";
        REQUIRE(::mkdtemp(tmpl) != nullptr);
        path = tmpl;
        ::chmod(path.c_str(), 0755);
    }
    ~ScratchDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string dir(const std::string& name, mode_t mode) const {
        const std::string p = path + "/" + name;
        ::mkdir(p.c_str(), mode);
        ::chmod(p.c_str(), mode);
        return p;
    }
};

// --check-config refuses with exactly `line`, and startup with the same line and status
// (nothing --check-config passes may fail at startup, nor the other way round).
inline void both_refuse(std::vector<std::string> args, const std::string& line,
                        bool as_nobody = false) {
    args.insert(args.begin(), {"--access-log", "off"});  // first: a case may name a log
    std::vector<std::string> check = args;
    check.push_back("--check-config");
    for (const auto& run : {run_polyhttpd(check, as_nobody), run_polyhttpd(args, as_nobody)}) {
        INFO("output: " << run.output);
        CHECK(run.status == 2);
        CHECK(run.output == "polyhttpd: " + line + "\n");
    }
}

inline bool running_as_root() {
    if (::geteuid() == 0) return true;
    WARN("not root: the checks as another user are not exercised");
    return false;
}

}  // namespace itest
