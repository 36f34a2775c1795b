// uring: what only the io_uring model shows. Tagged [uring] (ctest: models_uring, which reports
// SKIPPED with the reason, exit 77, where the kernel has no usable io_uring) and [uring_probe]
// (the unavailability path itself, run everywhere: it does not need io_uring).
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <cstddef>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <optional>

#include "model_tests.hpp"

using namespace mtest;
using itest::HttpResponse;
using itest::RawClient;
using itest::ReadResult;

namespace {

struct Run {
    int exit_code = -1;  // -1: killed by a signal
    std::string output;  // stdout and stderr
};

// Makes io_uring_setup fail with EPERM in this process and what it execs, as a container's
// seccomp profile does.
void deny_io_uring_setup() {
    sock_filter filter[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_io_uring_setup, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | (EPERM & SECCOMP_RET_DATA)),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    sock_fprog prog{static_cast<unsigned short>(std::size(filter)), filter};
    if (::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 ||
        ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) != 0)
        ::_exit(126);
}

// Runs the server binary with `args` to its end (it must stop by itself: these runs fail at
// startup or only list), with `env_reason` as POLYHTTPD_URING_UNAVAILABLE when not empty.
Run run_binary(const std::vector<std::string>& args, const std::string& env_reason, bool seccomp) {
    int p[2];
    REQUIRE(::pipe2(p, O_CLOEXEC) == 0);
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::dup2(p[1], 1);
        ::dup2(p[1], 2);
        if (!env_reason.empty()) ::setenv("POLYHTTPD_URING_UNAVAILABLE", env_reason.c_str(), 1);
        if (seccomp) deny_io_uring_setup();
        std::vector<char*> argv{const_cast<char*>(POLYHTTPD_BINARY)};
        for (const auto& a : args) argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execv(POLYHTTPD_BINARY, argv.data());
        ::_exit(127);
    }
    ::close(p[1]);
    Run r;
    char buf[4096];
    for (ssize_t n; (n = ::read(p[0], buf, sizeof buf)) > 0;) r.output.append(buf, static_cast<std::size_t>(n));
    ::close(p[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    if (WIFEXITED(status)) r.exit_code = WEXITSTATUS(status);
    return r;
}

const std::vector<std::string> serve_uring = {"--model", "uring", "--listen", "127.0.0.1:0",
                                              "--root", "/", "--allow-system-root",
                                              "--access-log", "off"};

void check_one_clear_line(const Run& r, const std::string& expected) {
    INFO("output: " << r.output);
    CHECK(r.exit_code == 1);
    CHECK(std::count(r.output.begin(), r.output.end(), '\n') == 1);
    CHECK(r.output.find("--model uring is unavailable here: ") != std::string::npos);
    CHECK(r.output.find(expected) != std::string::npos);
}

// Every [uring] case starts here: where the kernel cannot run the model, the whole run is
// reported as skipped (exit 77, ctest SKIP_RETURN_CODE) with the reason, never as passed.
void require_uring() {
    const Run list = run_binary({"--list-models"}, "", false);
    const auto line_at = list.output.find("\nuring ");
    REQUIRE(line_at != std::string::npos);
    const std::string line = list.output.substr(line_at + 1, list.output.find('\n', line_at + 1) - line_at - 1);
    const auto marker = line.find("[unavailable here: ");
    if (marker == std::string::npos) return;
    std::printf("SKIPPED: uring tests: %s\n", line.substr(marker).c_str());
    std::fflush(stdout);
    std::_Exit(77);
}

}  // namespace

TEST_CASE("uring unavailable (simulated): one clear line, exit 1, marked in --list-models",
          "[uring_probe]") {
    check_one_clear_line(run_binary(serve_uring, "no io_uring in this test", false),
                         "simulated by POLYHTTPD_URING_UNAVAILABLE: no io_uring in this test");
    const Run list = run_binary({"--list-models"}, "no io_uring in this test", false);
    CHECK(list.exit_code == 0);
    CHECK(list.output.find("[unavailable here: simulated") != std::string::npos);
    CHECK(list.output.find("\nepoll-et ") != std::string::npos);  // the others are listed as usual
}

TEST_CASE("uring under a seccomp filter denying io_uring_setup: one clear line, exit 1",
          "[uring_probe]") {
    check_one_clear_line(run_binary(serve_uring, "", true),
                         "io_uring_setup failed: Operation not permitted");
    // The other models are unaffected by the filter.
    const Run version = run_binary({"--version"}, "", true);
    CHECK(version.exit_code == 0);
}

TEST_CASE("uring --workers 2: 400 concurrent keep-alive clients over two rings", "[uring]") {
    require_uring();
    const BigRoot root;
    itest::ServerProcess server("uring", root.path(), {"--workers", "2"});
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 400; ++i) {
        clients.push_back(std::make_unique<RawClient>(server.port()));
        REQUIRE(clients.back()->send(itest::get_request("/")));
    }
    for (int round = 0; round < 2; ++round) {
        int ok = 0;
        for (auto& c : clients) {
            HttpResponse r;
            ok += c->read_response(r) == ReadResult::ok && r.status == 200 && r.body == "hello\n";
            if (round == 0) c->send(itest::get_request("/"));
        }
        CHECK(ok == 400);
    }
    CHECK(burst(server.port(), 500, 8) == 0);
    CHECK(server.stop(10s).clean());
}

TEST_CASE("uring: large files leave byte-exact, whole and in ranges, on one connection",
          "[uring]") {
    require_uring();
    const std::string files = GENERATE(values<std::string>({"sendfile", "splice"}));
    INFO("--uring-files " << files);
    const BigRoot root;
    itest::ServerProcess server("uring", root.path(), {"--uring-files", files});
    RawClient c(server.port());
    for (int i = 0; i < 2; ++i) {  // the second reuses the connection's pipe
        REQUIRE(c.send(itest::get_request("/big.bin")));
        HttpResponse r;
        REQUIRE(c.read_response(r, false, 20s) == ReadResult::ok);
        CHECK(r.status == 200);
        CHECK(r.body.size() == BigRoot::big_size);
        CHECK((r.body == root.big_body()));  // parenthesised: no megabyte in the failure message
    }
    const std::size_t from = 3 * 1024 * 1024 + 7, to = from + 2 * 1024 * 1024;
    REQUIRE(c.send(itest::get_request("/big.bin", "Range: bytes=" + std::to_string(from) + "-" +
                                                      std::to_string(to) + "\r\n")));
    HttpResponse part;
    REQUIRE(c.read_response(part, false, 20s) == ReadResult::ok);
    CHECK(part.status == 206);
    CHECK(part.body.size() == to - from + 1);
    CHECK((part.body == std::string_view(root.big_body()).substr(from, to - from + 1)));
    CHECK(server.stop(10s).clean());
}

TEST_CASE("uring: a client that reads nothing is dropped at the send timeout", "[uring]") {
    require_uring();
    const BigRoot root;
    itest::ServerProcess server("uring", root.path(), {"--send-timeout", "1s"});
    RawClient stalled(server.port(), itest::ClientOptions{.rcvbuf = 4096});
    REQUIRE(stalled.send(itest::get_request("/big.bin")));
    HttpResponse head;
    REQUIRE(stalled.read_head(head) == ReadResult::ok);
    CHECK(get_status(server.port()) == 200);  // others are served meanwhile
    ::usleep(2'500'000);  // reads nothing for longer than the send timeout
    std::string rest;     // the server gave up on it: it never gets all of it
    CHECK(stalled.read_exact(rest, BigRoot::big_size, 10s) != ReadResult::ok);
    CHECK(rest.size() < BigRoot::big_size);
    CHECK(server.stop(10s).clean());
}

TEST_CASE("uring: SIGTERM during a slow 10 MiB transfer lets it complete", "[uring]") {
    require_uring();
    sigterm_lets_transfer_complete("uring");
}

TEST_CASE("uring: a client stalled past --shutdown-timeout is cut off", "[uring]") {
    require_uring();
    stall_past_shutdown_timeout_is_cut_off("uring");
}

TEST_CASE("uring: --max-connections 2, the third client waits until one leaves", "[uring]") {
    require_uring();
    third_client_waits_at_cap("uring");
}

TEST_CASE("uring: 100 pipelined requests in one write are answered in order", "[uring]") {
    require_uring();
    pipelined_requests_in_order("uring");
}

TEST_CASE("uring: a stalled reader of 10 MiB does not delay other clients", "[uring]") {
    require_uring();
    const std::string files = GENERATE(values<std::string>({"sendfile", "splice"}));
    INFO("--uring-files " << files);
    stalled_reader_does_not_delay_others("uring", {"--uring-files", files});
}
