#include "daemon.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <regex>
#include <sstream>
#include <stdexcept>

extern char** environ;

namespace systest {
namespace fs = std::filesystem;

std::string binary() { return POLYHTTPD_BINARY; }
fs::path source_dir() { return POLYHTTPD_SOURCE_DIR; }

bool have_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');)
        if (::access((dir + "/" + name).c_str(), X_OK) == 0) return true;
    return false;
}

const std::vector<std::string>& model_names() {
    static const std::vector<std::string> names = [] {
        std::string out;
        run_command({binary(), "--list-models"}, out);
        const char* only = std::getenv("POLYHTTPD_MODELS");
        // Built with append: GCC 12's -Wrestrict misfires on `"," + std::string(...)` at -O3.
        std::string filter;
        if (only != nullptr) filter.append(",").append(only).append(",");
        std::vector<std::string> v;
        std::stringstream lines(out);
        for (std::string line; std::getline(lines, line);) {
            const std::string name = line.substr(0, line.find(' '));
            if (name.empty()) continue;
            // A model this kernel cannot run (io_uring missing or forbidden) is left out,
            // saying why; its own ctest entries report it as skipped.
            if (const auto at = line.find("[unavailable here: "); at != std::string::npos) {
                std::fprintf(stderr, "SKIPPED: model %s: %s\n", name.c_str(), line.c_str() + at);
                continue;
            }
            std::string key(",");
            key.append(name).append(",");
            if (filter.empty() || filter.find(key) != std::string::npos)
                v.push_back(name);
        }
        return v;
    }();
    return names;
}

TempDir::TempDir() {
    std::string tmpl = (fs::temp_directory_path() / "polyhttpd-sys-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp");
    path = tmpl;
    fs::permissions(path, fs::perms(0755));  // readable by a dropped --user too
}

TempDir::~TempDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
}

std::string TempDir::write(const std::string& name, const std::string& text) const {
    const fs::path p = path / name;
    fs::create_directories(p.parent_path());
    std::ofstream(p) << text;
    return p.string();
}

std::string TempDir::read(const std::string& name) const {
    std::ifstream in(path / name);
    return {std::istreambuf_iterator<char>(in), {}};
}

std::vector<std::string> server_argv(const std::string& model, const std::string& root,
                                     const std::vector<std::string>& extra) {
    std::vector<std::string> v = {binary(),           "--model",     model, "--listen",
                                  "127.0.0.1:0",      "--workers",   "2",   "--shutdown-timeout",
                                  "2s",               "--access-log", "off"};
    if (!root.empty()) v.insert(v.end(), {"--root", root});
    v.insert(v.end(), extra.begin(), extra.end());
    return v;
}

Daemon::Daemon(const std::vector<std::string>& argv, const DaemonOptions& opts) {
    int pipefd[2];
    if (::pipe2(pipefd, O_CLOEXEC) != 0) throw std::runtime_error("pipe2");
    std::vector<std::string> env;
    for (char** e = environ; *e != nullptr; ++e) env.emplace_back(*e);
    env.insert(env.end(), opts.env.begin(), opts.env.end());
    if (opts.journal_stream) {
        struct stat st {};
        ::fstat(pipefd[1], &st);
        env.push_back("JOURNAL_STREAM=" + std::to_string(st.st_dev) + ":" +
                      std::to_string(st.st_ino));
    }
    std::vector<char*> args, envp;
    for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
    args.push_back(nullptr);
    pid_ = ::fork();
    if (pid_ < 0) throw std::runtime_error("fork");
    if (pid_ == 0) {
        ::setpgid(0, 0);
        ::dup2(pipefd[1], STDOUT_FILENO);
        ::dup2(pipefd[1], STDERR_FILENO);
        if (opts.watchdog_pid) env.push_back("WATCHDOG_PID=" + std::to_string(::getpid()));
        for (auto& e : env) envp.push_back(e.data());
        envp.push_back(nullptr);
        ::execvpe(args[0], args.data(), envp.data());  // searches $PATH
        ::_exit(127);
    }
    ::setpgid(pid_, pid_);
    ::close(pipefd[1]);
    out_fd_ = pipefd[0];
    drainer_ = std::thread([this] { drain(); });
}

Daemon::~Daemon() {
    if (!reaped_) {
        ::kill(-pid_, SIGKILL);
        ::kill(pid_, SIGKILL);
        int st = 0;
        ::waitpid(pid_, &st, 0);
    }
    ::kill(-pid_, SIGKILL);  // forked children of the server, if any outlived it
    drainer_.join();
    ::close(out_fd_);
}

void Daemon::drain() {
    char buf[4096];
    for (;;) {
        const ssize_t n = ::read(out_fd_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        const std::lock_guard lock(mu_);
        if (n <= 0) {
            eof_ = true;
            cv_.notify_all();
            return;
        }
        out_.append(buf, static_cast<std::size_t>(n));
        cv_.notify_all();
    }
}

void Daemon::signal(int sig) const { ::kill(pid_, sig); }

bool Daemon::wait_output(std::string_view needle, std::chrono::milliseconds timeout,
                         std::size_t from) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] {
        return out_.find(needle, std::min(from, out_.size())) != std::string::npos || eof_;
    }) && out_.find(needle, std::min(from, out_.size())) != std::string::npos;
}

std::optional<std::uint16_t> Daemon::port(std::chrono::milliseconds timeout) {
    static const std::regex re(R"(listening on 127\.0\.0\.1:(\d+))");
    if (!wait_output("listening on 127.0.0.1:", timeout)) return std::nullopt;
    wait_output(" (", 2s);  // the rest of the line
    std::smatch m;
    const std::string text = output();
    if (!std::regex_search(text, m, re)) return std::nullopt;
    return static_cast<std::uint16_t>(std::stoul(m[1]));
}

std::optional<int> Daemon::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!reaped_) {
        int st = 0;
        const pid_t r = ::waitpid(pid_, &st, WNOHANG);
        if (r == pid_) {
            reaped_ = true;
            return st;
        }
        if (std::chrono::steady_clock::now() >= deadline) return std::nullopt;
        std::this_thread::sleep_for(10ms);
    }
    return std::nullopt;
}

std::string Daemon::output() const {
    const std::lock_guard lock(mu_);
    return out_;
}

}  // namespace systest
