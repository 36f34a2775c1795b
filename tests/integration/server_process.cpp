#include "server_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <regex>
#include <stdexcept>
#include <utility>

#include "test_certs.hpp"

#ifndef POLYHTTPD_BINARY
#error "POLYHTTPD_BINARY must name the server binary"
#endif

namespace itest {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr std::size_t max_kept_output = 2 * 1024 * 1024;
constexpr std::string_view listening_marker = "listening on 127.0.0.1:";

// Every port of the startup line "listening on 127.0.0.1:P, 127.0.0.1:Q (...)", in order,
// once the line is complete; empty while it is not (yet) there.
std::vector<std::uint16_t> find_ports(const std::string& text) {
    const auto at = text.find(listening_marker);
    if (at == std::string::npos) return {};
    const auto eol = text.find('\n', at);
    if (eol == std::string::npos) return {};  // never take a half-written line
    const std::string line = text.substr(at, eol - at);
    static const std::regex address(R"((?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-fA-F:.]*\]):(\d{1,5}))");
    std::vector<std::uint16_t> ports;
    for (auto it = std::sregex_iterator(line.begin(), line.end(), address);
         it != std::sregex_iterator(); ++it) {
        const unsigned long port = std::stoul((*it)[1]);
        if (port == 0 || port > 65535) return {};
        ports.push_back(static_cast<std::uint16_t>(port));
    }
    return ports;
}

}  // namespace

std::string Exit::describe() const {
    std::string s;
    if (!exited) return "still running";
    if (signaled)
        s = "killed by signal " + std::to_string(signal) + " (" + strsignal(signal) + ")";
    else
        s = "exit status " + std::to_string(code);
    if (!in_time) s += ", did not exit in time (SIGKILLed)";
    if (stragglers) s += ", left processes of its group running";
    return s;
}

ServerProcess::ServerProcess(std::string model, const std::string& root,
                             const std::vector<std::string>& extra, Transport transport)
    : model_(std::move(model)), transport_(resolve(transport)) {
    std::vector<std::string> argv = {
        POLYHTTPD_BINARY, "--model", model_,        "--listen", "127.0.0.1:0", "--root", root,
        "--access-log",   "off",     "--log-level", "info"};
    // The suite's TLS listener and pair come before `extra`, so that its pair is the default
    // and a test's own --tls-cert/--tls-key pairs are the SNI alternatives.
    if (transport_ == Transport::tls) {
        for (const auto& f : tls_listen_flags()) argv.push_back(f);
    }
    for (const auto& f : extra) {
        argv.push_back(f);
        flags_key_ += f + ' ';
    }
    tls_listeners_ = static_cast<std::size_t>(std::count(argv.begin(), argv.end(), "--tls-listen"));
    spawn(argv);
    drain_ = std::thread([this] { drain_loop(); });
    wait_for_listening();
}

void ServerProcess::spawn(const std::vector<std::string>& argv) {
    std::vector<char*> cargv;
    for (const auto& a : argv) cargv.push_back(const_cast<char*>(a.c_str()));
    cargv.push_back(nullptr);
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
    pid_ = ::fork();
    if (pid_ < 0) {
        ::close(fds[0]);
        ::close(fds[1]);
        throw std::runtime_error("fork failed");
    }
    if (pid_ == 0) {
        // Child: async-signal-safe calls only. Own process group so workers can be found and
        // killed with it; die with the test runner so nothing outlives a crashed suite.
        ::setpgid(0, 0);
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        const int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0) ::dup2(devnull, 0);
        ::dup2(fds[1], 1);
        ::dup2(fds[1], 2);
        ::execv(cargv[0], cargv.data());
        constexpr char msg[] = "integration: execv of the server binary failed\n";
        [[maybe_unused]] auto w = ::write(2, msg, sizeof msg - 1);
        ::_exit(127);
    }
    ::setpgid(pid_, pid_);  // also from the parent: no race with the first kill(-pgid)
    ::close(fds[1]);
    out_fd_ = fds[0];
}

void ServerProcess::drain_loop() {
    char buf[16384];
    while (!stop_drain_.load()) {
        pollfd p{out_fd_, POLLIN, 0};
        const int r = ::poll(&p, 1, 50);
        if (r < 0 && errno == EINTR) continue;
        if (r <= 0) continue;
        const ssize_t n = ::read(out_fd_, buf, sizeof buf);
        if (n < 0 && errno == EINTR) continue;
        std::lock_guard lock(mu_);
        if (n <= 0) {
            eof_ = true;
            cv_.notify_all();
            return;
        }
        output_.append(buf, static_cast<std::size_t>(n));
        if (output_.size() > max_kept_output)
            output_.erase(0, output_.size() - max_kept_output / 2);
        cv_.notify_all();
    }
}

void ServerProcess::wait_for_listening() {
    std::unique_lock lock(mu_);
    const auto deadline = Clock::now() + start_timeout;
    while ((ports_ = find_ports(output_)).empty() && !eof_) {
        if (cv_.wait_until(lock, deadline) == std::cv_status::timeout) break;
    }
    // A TLS listener missing from the line is a failure to start, not port 0.
    if (!ports_.empty() && ports_.size() > tls_listeners_) return;
    const std::string seen = output_;
    lock.unlock();
    const bool was_running = running();
    kill_group_and_reap();
    // The destructor will not run: stop the drain thread here (a joinable std::thread
    // destroyed by the unwinding would terminate the suite).
    stop_drain_.store(true);
    drain_.join();
    ::close(out_fd_);
    out_fd_ = -1;
    throw std::runtime_error("server (model " + model_ + ") did not report '" +
                             std::string(listening_marker) + "PORT' within 10 s" +
                             (was_running ? "" : " (it exited: " + exit_info().describe() + ")") +
                             "; its output:\n" + seen);
}

ServerProcess::~ServerProcess() {
    if (running()) {
        send_signal(SIGTERM);
        if (!wait_exit(3s)) kill_group_and_reap();
    }
    if (group_alive()) ::kill(-pid_, SIGKILL);
    stop_drain_.store(true);
    if (drain_.joinable()) drain_.join();
    if (out_fd_ >= 0) ::close(out_fd_);
}

bool ServerProcess::running() {
    if (reaped_ || pid_ <= 0) return false;
    int st = 0;
    const pid_t r = ::waitpid(pid_, &st, WNOHANG);
    if (r == pid_) {
        reaped_ = true;
        status_ = st;
        return false;
    }
    return true;
}

void ServerProcess::send_signal(int sig) const {
    if (!reaped_ && pid_ > 0) ::kill(pid_, sig);
}

bool ServerProcess::wait_exit(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (running()) {
        if (Clock::now() >= deadline) return false;
        std::this_thread::sleep_for(5ms);
    }
    return true;
}

bool ServerProcess::group_alive() const { return pid_ > 0 && ::kill(-pid_, 0) == 0; }

void ServerProcess::kill_group_and_reap() {
    if (pid_ <= 0) return;
    ::kill(-pid_, SIGKILL);
    if (!reaped_) {
        killed_ = true;
        ::waitpid(pid_, &status_, 0);
        reaped_ = true;
    }
}

Exit ServerProcess::stop(std::chrono::milliseconds grace) {
    send_signal(SIGTERM);
    return await_exit(grace);
}

Exit ServerProcess::await_exit(std::chrono::milliseconds grace) {
    const bool in_time = wait_exit(grace);
    if (!in_time) kill_group_and_reap();
    Exit e = exit_info();
    e.in_time = in_time;
    // Workers (fork, prefork) must not outlive their master: give them a moment, then kill.
    const auto deadline = Clock::now() + 2s;
    while (group_alive() && Clock::now() < deadline) std::this_thread::sleep_for(10ms);
    if (group_alive()) {
        e.stragglers = true;
        ::kill(-pid_, SIGKILL);
    }
    // The group is gone, so the pipe reaches EOF: wait for the drain thread to read the last
    // lines (a shutdown summary) before anyone looks at output().
    std::unique_lock lock(mu_);
    cv_.wait_for(lock, 2s, [this] { return eof_; });
    return e;
}

Exit ServerProcess::exit_info() const {
    Exit e;
    e.exited = reaped_;
    e.in_time = reaped_ && !killed_;
    if (!reaped_) return e;
    if (WIFSIGNALED(status_)) {
        e.signaled = true;
        e.signal = WTERMSIG(status_);
    } else if (WIFEXITED(status_)) {
        e.code = WEXITSTATUS(status_);
    }
    return e;
}

std::string ServerProcess::output() const {
    std::lock_guard lock(mu_);
    return output_;
}

std::string ServerProcess::output_tail(std::size_t max_chars) const {
    std::lock_guard lock(mu_);
    if (output_.size() <= max_chars) return output_;
    return "..." + output_.substr(output_.size() - max_chars);
}

}  // namespace itest
