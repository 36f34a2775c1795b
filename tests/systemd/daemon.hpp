// Helpers of the systemd/operations suite: start the real binary the way systemd would (extra
// environment, socket activation, a notify socket), talk HTTP to it, read what it logged.
// Everything runs on Catch2's main thread except Daemon's output-draining thread.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace systest {

using namespace std::chrono_literals;

std::string binary();                         // the polyhttpd under test
std::filesystem::path source_dir();           // the repository
// `polyhttpd --list-models`; $POLYHTTPD_MODELS="a,b" restricts it.
const std::vector<std::string>& model_names();
bool have_program(const std::string& name);   // on $PATH

// A scratch directory, removed at scope exit.
struct TempDir {
    std::filesystem::path path;
    TempDir();
    ~TempDir();
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    std::string write(const std::string& name, const std::string& text) const;
    std::string read(const std::string& name) const;
};

struct DaemonOptions {
    std::vector<std::string> env;  // "NAME=value" added to our environment
    bool journal_stream = false;   // set $JOURNAL_STREAM to the output pipe, like systemd does
    bool watchdog_pid = false;     // set $WATCHDOG_PID to the child's pid (sd_watchdog_enabled)
};

// A running process in its own process group, stdout+stderr captured. The destructor kills
// the group and reaps it.
class Daemon {
public:
    Daemon(const std::vector<std::string>& argv, const DaemonOptions& opts = {});
    ~Daemon();
    Daemon(const Daemon&) = delete;
    Daemon& operator=(const Daemon&) = delete;

    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    void signal(int sig) const;
    // Waits until the output contains needle (after `from`, a previous output size).
    bool wait_output(std::string_view needle, std::chrono::milliseconds timeout,
                     std::size_t from = 0);
    // The port of "listening on 127.0.0.1:PORT", or nothing within the timeout.
    std::optional<std::uint16_t> port(std::chrono::milliseconds timeout = 10s);
    // The wait status once the process ended within the timeout.
    std::optional<int> wait_exit(std::chrono::milliseconds timeout);
    [[nodiscard]] std::string output() const;

private:
    void drain();

    pid_t pid_ = -1;
    int out_fd_ = -1;
    bool reaped_ = false;
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::string out_;
    bool eof_ = false;
    std::thread drainer_;
};

// polyhttpd with the suite's usual flags on an ephemeral port (no --root when root is empty).
std::vector<std::string> server_argv(const std::string& model, const std::string& root,
                                     const std::vector<std::string>& extra = {});

struct HttpResult {
    int status = 0;  // 0: no complete response
    std::string head;
    std::string body;
    std::string error;
};
// One request with "Connection: close", reading to EOF. `path` may be a unix socket path.
HttpResult http_get(std::uint16_t port, const std::string& target,
                    const std::string& extra_headers = "");
HttpResult http_get_unix(const std::string& socket_path, const std::string& target);

// A keep-alive client for "nothing in flight fails" checks.
class KeepAlive {
public:
    explicit KeepAlive(std::uint16_t port);
    ~KeepAlive();
    KeepAlive(const KeepAlive&) = delete;
    KeepAlive& operator=(const KeepAlive&) = delete;
    HttpResult get(const std::string& target);

private:
    int fd_ = -1;
};

// Sends a GET and never reads the response, with a tiny receive buffer, so the server's send
// stalls (a client that stopped reading its download).
class StalledClient {
public:
    StalledClient(std::uint16_t port, const std::string& target);
    ~StalledClient();
    StalledClient(const StalledClient&) = delete;
    StalledClient& operator=(const StalledClient&) = delete;

private:
    int fd_ = -1;
};

// A port free a moment ago (for tools that cannot bind port 0).
std::uint16_t free_port();

// Runs a command to completion; returns its exit status (or -1) and its combined output.
int run_command(const std::vector<std::string>& argv, std::string& output);

// The systemd notification socket: a bound AF_UNIX datagram socket.
class NotifySocket {
public:
    explicit NotifySocket(const std::filesystem::path& path);
    ~NotifySocket();
    NotifySocket(const NotifySocket&) = delete;
    NotifySocket& operator=(const NotifySocket&) = delete;
    [[nodiscard]] std::string env() const { return "NOTIFY_SOCKET=" + path_.string(); }
    // Reads datagrams until one contains `needle`; every one read is appended to `seen`.
    bool wait_for(std::string_view needle, std::chrono::milliseconds timeout,
                  std::vector<std::string>& seen);

private:
    std::filesystem::path path_;
    int fd_ = -1;
};

}  // namespace systest
