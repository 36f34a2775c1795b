// ServerProcess: one running polyhttpd binary, owned RAII-style by a test on the main thread.
// The constructor forks and execs the server on an ephemeral port and blocks (at most
// start_timeout) until it reports "listening on 127.0.0.1:PORT"; it throws std::runtime_error
// with everything the server printed so far when it does not. A background thread keeps
// draining the server's stdout and stderr (one pipe) so a chatty server never blocks on it.
// The destructor stops a still-running server (SIGTERM, then SIGKILL) without asserting:
// tests that care about the exit status call stop() and check the Exit it returns.
// With Transport::tls (by default the suite's $POLYHTTPD_TRANSPORT) it also opens a TLS
// listener with the test certificates, and port() is that listener's port: every test that
// connects to port() then speaks TLS.
#pragma once

#include <sys/types.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "tls_client.hpp"

namespace itest {

struct Exit {
    bool exited = false;   // the process ended (by itself or by our SIGKILL)
    bool in_time = false;  // it ended before the deadline, without our SIGKILL
    bool signaled = false;
    int code = -1;  // exit status when !signaled
    int signal = 0;
    bool stragglers = false;  // processes of its group outlived it (orphaned workers)
    [[nodiscard]] bool clean() const noexcept {
        return exited && in_time && !signaled && code == 0 && !stragglers;
    }
    [[nodiscard]] std::string describe() const;
};

class ServerProcess {
public:
    static constexpr std::chrono::seconds start_timeout{10};

    // Runs: BINARY --model M --listen 127.0.0.1:0 --root ROOT --access-log off
    //       --log-level info [tls_listen_flags() when `transport` is tls] EXTRA...
    ServerProcess(std::string model, const std::string& root, const std::vector<std::string>& extra,
                  Transport transport = default_transport());
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;
    ~ServerProcess();

    // The port the transport speaks on: the first TLS listener's over TLS, else the first one.
    [[nodiscard]] std::uint16_t port() const noexcept {
        return transport_ == Transport::tls ? tls_port() : plain_port();
    }
    [[nodiscard]] std::uint16_t plain_port() const noexcept { return ports_.front(); }
    // The first --tls-listen listener's port (TLS listeners are bound after the plain ones);
    // 0 when there is none.
    [[nodiscard]] std::uint16_t tls_port() const noexcept {
        return tls_listeners_ == 0 ? 0 : ports_[ports_.size() - tls_listeners_];
    }
    // Every port of the startup line, in its order.
    [[nodiscard]] const std::vector<std::uint16_t>& ports() const noexcept { return ports_; }
    [[nodiscard]] Transport transport() const noexcept { return transport_; }
    [[nodiscard]] const std::string& model() const noexcept { return model_; }
    // The server's pid, which is also its process group's id (workers included).
    [[nodiscard]] pid_t pid() const noexcept { return pid_; }
    [[nodiscard]] const std::string& flags_key() const noexcept { return flags_key_; }

    // Non-blocking: false once the process has ended (it is reaped here).
    bool running();
    void send_signal(int sig) const;
    // Waits up to `timeout` for the process to end on its own.
    bool wait_exit(std::chrono::milliseconds timeout);
    // SIGTERM, then await_exit(grace).
    Exit stop(std::chrono::milliseconds grace);
    // Waits up to `grace` for the process to end (after a signal sent by the test), SIGKILLs
    // the whole group if it does not, and checks that no process of its group outlives it.
    Exit await_exit(std::chrono::milliseconds grace);
    // Describes how the process ended (valid once !running()).
    [[nodiscard]] Exit exit_info() const;

    // Everything the server printed (stdout and stderr), tail only if huge.
    [[nodiscard]] std::string output() const;
    [[nodiscard]] std::string output_tail(std::size_t max_chars = 4000) const;

private:
    void spawn(const std::vector<std::string>& argv);
    void drain_loop();
    void wait_for_listening();
    void kill_group_and_reap();
    bool group_alive() const;

    std::string model_;
    std::string flags_key_;
    pid_t pid_ = -1;
    int status_ = 0;
    bool reaped_ = false;
    bool killed_ = false;
    Transport transport_;
    std::size_t tls_listeners_ = 0;  // --tls-listen flags given
    std::vector<std::uint16_t> ports_;

    int out_fd_ = -1;
    std::thread drain_;
    std::atomic<bool> stop_drain_{false};
    mutable std::mutex mu_;
    std::condition_variable cv_;
    std::string output_;
    bool eof_ = false;
};

}  // namespace itest
