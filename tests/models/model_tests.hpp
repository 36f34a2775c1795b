// Helpers of the model-specific tests (fork, thread, prefork). They start the real binary
// with the integration suite's ServerProcess and talk to it with its RawClient; what is added
// here is what only these tests need: a view of the server's processes and threads through
// /proc, a web root with a 10 MiB file, and bursts of short connections.
// Main (Catch2) thread only, except where a function says otherwise.
#pragma once

#include <sys/types.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "raw_client.hpp"
#include "server_process.hpp"

namespace mtest {

using namespace std::chrono_literals;

struct ProcInfo {
    pid_t pid = 0;
    char state = '?';  // R, S, D, Z, ... from /proc/PID/stat
};

// The direct children of `parent`, from /proc (a snapshot; racy by nature).
std::vector<ProcInfo> children_of(pid_t parent);
std::size_t zombies_of(pid_t parent);
// True while `pid` exists and is not a zombie (an orphan's zombie waits for init to reap it,
// which can take a while in containers; it runs nothing).
bool running(pid_t pid);
// "Threads:" of /proc/PID/status; 0 when the process is gone.
int thread_count(pid_t pid);

// Polls `pred` every 10 ms until it holds or `timeout` passes; returns its last value.
template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        if (pred()) return true;
        if (std::chrono::steady_clock::now() >= deadline) return false;
        ::usleep(10'000);
    }
}

// A temporary root holding index.html ("hello\n") and big.bin (10 MiB, a pattern), removed
// on destruction.
class BigRoot {
public:
    static constexpr std::size_t big_size = 10u << 20;
    BigRoot();
    ~BigRoot();
    BigRoot(const BigRoot&) = delete;
    BigRoot& operator=(const BigRoot&) = delete;
    [[nodiscard]] const std::string& path() const noexcept { return path_; }
    [[nodiscard]] const std::string& big_body() const noexcept { return big_; }

private:
    std::string path_;
    std::string big_;
};

// `total` connections, each one GET / and close, spread over `parallel` threads. Returns how
// many failed (no 200). Safe to call from the main thread; uses no Catch2 inside.
int burst(std::uint16_t port, int total, int parallel);

// One GET / on a fresh connection; the status, or 0 when none arrived in `timeout`.
int get_status(std::uint16_t port, std::chrono::milliseconds timeout = 5s);

// The pid of the one server this test process runs (ServerProcess keeps its pid private):
// the only child of ours whose executable is the server binary; -1 if not exactly one.
pid_t server_pid();

}  // namespace mtest

// Scenarios that the tests of several model families run (defined in the test file that first
// needed them; the uring tests call them too). Each starts its own server for `model`.
void sigterm_lets_transfer_complete(const std::string& model);         // test_shutdown.cpp
void stall_past_shutdown_timeout_is_cut_off(const std::string& model);  // test_shutdown.cpp
void third_client_waits_at_cap(const std::string& model);               // test_cap.cpp
void pipelined_requests_in_order(const std::string& model);             // test_readiness.cpp
void stalled_reader_does_not_delay_others(const std::string& model,     // test_readiness.cpp
                                          const std::vector<std::string>& flags = {});
