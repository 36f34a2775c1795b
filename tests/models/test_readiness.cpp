// Readiness models (select, poll, epoll-lt, epoll-et): what only many connections, a select
// fd ceiling, edge triggering and a stalled reader can show. Behaviour only: every wait is
// bounded by the client's timeouts, nothing asserts a duration.
#include <catch2/catch.hpp>

#include <sys/resource.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>

#include "model_tests.hpp"

namespace {

using namespace std::chrono_literals;
using itest::HttpResponse;
using itest::RawClient;
using itest::ReadResult;

// A root with index.html and files p0.txt .. p99.txt, each holding its own number.
class NumberedRoot {
public:
    NumberedRoot() {
        char tmpl[] = "/tmp/polyhttpd-readiness-XXXXXX";
        path_ = ::mkdtemp(tmpl);
        std::ofstream(path_ + "/index.html") << "index\n";
        for (int i = 0; i < 100; ++i)
            std::ofstream(path_ + "/p" + std::to_string(i) + ".txt") << "file " << i << "\n";
    }
    ~NumberedRoot() { std::filesystem::remove_all(path_); }
    [[nodiscard]] const std::string& path() const noexcept { return path_; }

private:
    std::string path_;
};

std::size_t fd_budget() {
    rlimit rl{};
    ::getrlimit(RLIMIT_NOFILE, &rl);
    return rl.rlim_cur;
}

// Opens n connections, sends one GET on each, then reads every response; returns statuses.
std::vector<int> many_clients(std::uint16_t port, int n) {
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < n; ++i) {
        clients.push_back(std::make_unique<RawClient>(port));
        clients.back()->send(itest::get_request("/p1.txt"));
    }
    std::vector<int> statuses;
    for (auto& c : clients) {
        HttpResponse r;
        statuses.push_back(c->read_response(r) == ReadResult::ok ? r.status : 0);
    }
    return statuses;
}

}  // namespace

TEST_CASE("2,000 concurrent connections on poll and epoll-et", "[models][readiness]") {
    if (fd_budget() < 4500) {
        WARN("RLIMIT_NOFILE " << fd_budget() << " is too low for 2,000 connections; not run");
        return;
    }
    NumberedRoot root;
    for (const char* model : {"poll", "epoll-et"}) {
        INFO("model " << model);
        itest::ServerProcess server(model, root.path(), {});
        const std::vector<int> statuses = many_clients(server.port(), 2000);
        CHECK(std::count(statuses.begin(), statuses.end(), 200) == 2000);
        CHECK(server.stop(5s).clean());
    }
}

TEST_CASE("select answers 503 for a connection beyond FD_SETSIZE and keeps serving",
          "[models][readiness]") {
    if (fd_budget() < 2500) {
        WARN("RLIMIT_NOFILE " << fd_budget() << " is too low to pass FD_SETSIZE; not run");
        return;
    }
    NumberedRoot root;
    itest::ServerProcess server("select", root.path(), {});
    const std::vector<int> statuses = many_clients(server.port(), 1100);
    const auto ok = std::count(statuses.begin(), statuses.end(), 200);
    const auto refused = std::count(statuses.begin(), statuses.end(), 503);
    CHECK(ok + refused == 1100);
    CHECK(refused > 0);     // descriptors >= 1024 exist: they were refused, not mishandled
    CHECK(ok >= 1000);      // everything that fits an fd_set was served
    // Once the server has seen the clients' closes, low descriptors are free again; on a
    // loaded machine that can take a moment after the clients are gone.
    CHECK(mtest::eventually([&] { return mtest::get_status(server.port()) == 200; }, 10s));
    CHECK(server.stop(5s).clean());
}

void pipelined_requests_in_order(const std::string& model) {
    INFO("model " << model);
    NumberedRoot root;
    itest::ServerProcess server(model, root.path(), {});
    RawClient c(server.port());
    std::string batch;
    for (int i = 0; i < 100; ++i) batch += itest::get_request("/p" + std::to_string(i) + ".txt");
    REQUIRE(c.send(batch));
    for (int i = 0; i < 100; ++i) {
        HttpResponse r;
        REQUIRE(c.read_response(r) == ReadResult::ok);
        CHECK(r.body == "file " + std::to_string(i) + "\n");
    }
    CHECK(server.stop(5s).clean());
}

TEST_CASE("100 pipelined requests in one write are answered in order", "[models][readiness]") {
    for (const char* model : {"epoll-et", "epoll-lt", "poll", "select"}) pipelined_requests_in_order(model);
}

void stalled_reader_does_not_delay_others(const std::string& model,
                                          const std::vector<std::string>& flags) {
    INFO("model " << model);
    mtest::BigRoot root;
    std::vector<std::string> args = {"--send-timeout", "30s"};
    args.insert(args.end(), flags.begin(), flags.end());
    itest::ServerProcess server(model, root.path(), args);
    itest::ClientOptions slow_opts;
    slow_opts.rcvbuf = 4096;
    RawClient slow(server.port(), slow_opts);
    REQUIRE(slow.send(itest::get_request("/big.bin")));
    HttpResponse head;
    REQUIRE(slow.read_head(head) == ReadResult::ok);  // its transfer has started; it reads no more
    for (int i = 0; i < 20; ++i) {
        RawClient other(server.port());
        REQUIRE(other.send(itest::get_request("/index.html")));
        HttpResponse r;
        REQUIRE(other.read_response(r) == ReadResult::ok);
        CHECK(r.status == 200);
    }
    std::string rest;  // the stalled client can still finish afterwards
    CHECK(slow.read_exact(rest, mtest::BigRoot::big_size, 20s) == ReadResult::ok);
    CHECK(rest == root.big_body());
    CHECK(server.stop(5s).clean());
}

TEST_CASE("a stalled reader of 10 MiB does not delay other clients", "[models][readiness]") {
    for (const char* model : {"epoll-et", "poll"}) stalled_reader_does_not_delay_others(model);
}
