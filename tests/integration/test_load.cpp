// Many clients at once, and graceful shutdown under load, for every model.
#include <signal.h>

#include <atomic>
#include <latch>
#include <mutex>
#include <thread>

#include "suite.hpp"

using namespace itest;

namespace {

constexpr int client_count = 50;
constexpr int requests_per_client = 5;
// A model serving one connection at a time (loop) makes the last client wait for all others.
constexpr auto patient = 10s;

// One client: connect, 5 keep-alive requests, close. Returns "" or what went wrong; no Catch2
// here (it is not thread-safe).
std::string one_client(std::uint16_t port, int id) {
    try {
        RawClient c(port, ClientOptions{.rcvbuf = 0, .connect_timeout = patient});
        for (int j = 0; j < requests_per_client; ++j) {
            const int k = (id + j) % WebRoot::numbered_files;
            if (!c.send(get_request(WebRoot::numbered_path(k)), patient)) return "send: " + c.error();
            HttpResponse r;
            const ReadResult res = c.read_response(r, false, patient);
            if (res != ReadResult::ok)
                return "request " + std::to_string(j) + ": " + to_string(res) + ": " + c.error();
            if (r.status != 200 || r.body != WebRoot::numbered_body(k))
                return "request " + std::to_string(j) + ": status " + std::to_string(r.status) +
                       ", body of " + std::to_string(r.body.size()) + " bytes (wrong file?)";
        }
    } catch (const std::exception& e) {
        return e.what();
    }
    return {};
}

void many_clients(std::uint16_t port) {
    std::mutex mu;
    std::vector<std::string> errors;
    std::latch start(client_count);
    std::vector<std::thread> threads;
    for (int i = 0; i < client_count; ++i) {
        threads.emplace_back([&, i] {
            start.arrive_and_wait();  // connect all at once
            std::string err = one_client(port, i);
            if (err.empty()) return;
            std::lock_guard lock(mu);
            errors.push_back("client " + std::to_string(i) + ": " + err);
        });
    }
    for (auto& t : threads) t.join();
    std::string first;
    for (std::size_t i = 0; i < errors.size() && i < 5; ++i) first += errors[i] + "\n";
    INFO(errors.size() << " of " << client_count << " clients failed, e.g.:\n" << first);
    CHECK(errors.empty());
}

// Reads what follows the first response after SIGTERM: whole responses only, then EOF.
void check_rest_is_whole_responses(RawClient& c) {
    int complete = 1;
    for (;;) {
        HttpResponse r;
        const ReadResult res = c.read_response(r);
        if (res == ReadResult::closed && r.head.empty() && c.pending().empty()) break;
        INFO("response #" << complete + 1 << " after SIGTERM: " << to_string(res) << ": " << c.error()
                          << "; " << r.body.size() << " body bytes");
        REQUIRE(res == ReadResult::ok);  // never a truncated response
        CHECK(r.status == 200);
        CHECK(first_mismatch(r.body, web_root().big_body) == no_mismatch);
        ++complete;
    }
    INFO("complete responses: " << complete);
    CHECK(c.peer_closed());
}

void sigterm_during_download(const std::string& model) {
    const WebRoot& root = web_root();
    ServerProcess server(model, root.path(), standard_flags());
    // Kernel buffers on loopback can swallow a whole 1 MiB response (the send buffer grows to
    // tcp_wmem's maximum, 4 MiB by default), so ask for it 10 times in one write: whatever the
    // buffers hold, the server is in the middle of a response when SIGTERM arrives. A small
    // receive buffer keeps the client's side of the pipe short.
    RawClient c(server.port(), ClientOptions{.rcvbuf = 32 * 1024});
    std::string requests;
    for (int i = 0; i < 10; ++i) requests += get_request("/big.bin");
    REQUIRE(c.send(requests));
    HttpResponse r;
    REQUIRE(c.read_head(r) == ReadResult::ok);
    REQUIRE(r.status == 200);
    REQUIRE(r.get("Content-Length") == std::to_string(WebRoot::big_size));
    while (r.body.size() < WebRoot::big_size / 2) {
        REQUIRE(c.read_exact(r.body, 16 * 1024) == ReadResult::ok);
        std::this_thread::sleep_for(1ms);
    }
    server.send_signal(SIGTERM);
    std::this_thread::sleep_for(300ms);  // the server is now draining, not yet done
    const ReadResult rest = c.read_exact(r.body, WebRoot::big_size - r.body.size());
    INFO("received " << r.body.size() << " of " << WebRoot::big_size << " body bytes: "
                     << to_string(rest) << ": " << c.error());
    CHECK(rest == ReadResult::ok);
    CHECK(first_mismatch(r.body, root.big_body) == no_mismatch);
    check_rest_is_whole_responses(c);
    check_exit(server.await_exit(stop_grace), server);
}

void sigterm_with_idle_connection(const std::string& model) {
    ServerProcess server(model, web_root().path(), standard_flags());
    RawClient c(server.port());
    CHECK(roundtrip(c, get_request("/f09.txt")).status == 200);
    server.send_signal(SIGTERM);
    // An idle kept-alive connection is closed at once, well before any timeout.
    INFO(c.error());
    CHECK(c.wait_closed(shutdown_timeout));
    check_exit(server.await_exit(stop_grace), server);
}

}  // namespace

TEST_CASE("many clients: 50 connections x 5 keep-alive requests", "[integration][load]") {
    MODEL_UNDER_TEST();
    const std::uint16_t port = shared_server(model).port();
    SECTION("every request of every client is answered") { many_clients(port); }
    CLEAN_SHUTDOWN_SECTION()
}

TEST_CASE("graceful shutdown", "[integration][shutdown]") {
    MODEL_UNDER_TEST();
    SECTION("SIGTERM during slow 1 MiB downloads: no response is cut short, exit 0") {
        sigterm_during_download(model);
    }
    SECTION("SIGTERM with an idle keep-alive connection: closed at once, exit 0") {
        sigterm_with_idle_connection(model);
    }
}
