// Hostile TLS clients, for every model, whatever the suite's transport: plain HTTP to the TLS
// port, garbage, a truncated ClientHello, a handshake dribbled a byte at a time, an abort and
// a stall mid-handshake, and five rounds of 1,000 handshakes abandoned at once. After each the
// server still serves HTTPS; after each thousand the connections it holds are back to where
// they were, and its memory stays near it. Waits are bounded generously; what passes or fails
// is what the server did.
#include <dirent.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <thread>

#include "suite.hpp"

using namespace itest;

namespace {

void still_serves(std::uint16_t port) {
    INFO("a fresh HTTPS request afterwards");
    RawClient c(port, over(Transport::tls));
    CHECK(roundtrip(c, get_request("/page.html")).status == 200);
}

void plain_http_gets_400(std::uint16_t port) {
    RawClient c(port, over(Transport::plain));
    const HttpResponse r = roundtrip(c, get_request("/page.html"));
    CHECK(r.status == 400);
    INFO(c.error());
    CHECK(c.wait_closed());
}

void garbage_closed(std::uint16_t port, std::string_view bytes) {
    RawClient c(port, over(Transport::plain));
    REQUIRE(c.send(bytes));
    INFO(c.error());
    CHECK(c.wait_closed(header_timeout + 3s));
    still_serves(port);
}

// A record header that promises a 512-byte handshake record, then 200 bytes of junk.
std::string junk_record() {
    return std::string("\x16\x03\x01\x02\x00", 5) + std::string(200, '\xa5');
}

void truncated_hello(std::uint16_t port) {
    const std::string hello = client_hello();
    RawClient c(port, over(Transport::plain));
    REQUIRE(c.send(std::string_view(hello).substr(0, hello.size() / 2)));
    INFO(c.error());
    CHECK(c.wait_closed(header_timeout + 3s));
    still_serves(port);
}

// The header timeout bounds the handshake. ~300 bytes of ClientHello and ~80 of Finished, 1 ms
// apart, cost the server one wake-up a byte: under a sanitizer on a loaded machine that took
// longer than the suite's 2 s, so this case's server gets dribble_deadline instead.
constexpr auto dribble_deadline = 15s;

void dribbled(std::uint16_t port) {
    RawClient c(port, over(Transport::tls), TlsOptions{.handshake_chunk = 1, .pause = 1ms});
    INFO(c.error());
    REQUIRE(c.handshake(dribble_deadline + 3s));
    CHECK(roundtrip(c, get_request("/page.html")).body == web_root().page_body);
}

// Sends a whole ClientHello and waits a little for the server's first flight (whether it came
// in time decides nothing: the case holds either way).
void send_hello(RawClient& c) {
    REQUIRE(c.send(client_hello()));
    c.wait_closed(300ms);
}

void abort_mid_handshake(std::uint16_t port, bool with_reset) {
    {
        RawClient c(port, over(Transport::plain));
        send_hello(c);
        if (with_reset) {
            c.reset();
        } else {
            c.shutdown_write();
            INFO(c.error());
            CHECK(c.wait_closed());
        }
    }
    still_serves(port);
}

void stall_mid_handshake(std::uint16_t port) {
    RawClient c(port, over(Transport::plain));
    send_hello(c);
    CHECK_FALSE(c.peer_closed());
    INFO(c.error());
    CHECK(c.wait_closed(header_timeout + 3s));
    still_serves(port);
}

// The server's processes (its group: the master and any workers) as /proc sees them.
std::vector<std::string> group_procs(pid_t group) {
    std::vector<std::string> procs;
    DIR* d = ::opendir("/proc");
    if (d == nullptr) return procs;
    while (const dirent* e = ::readdir(d)) {
        const std::string name = e->d_name;
        if (name.find_first_not_of("0123456789") != std::string::npos) continue;
        std::ifstream stat("/proc/" + name + "/stat");
        std::string line;
        std::getline(stat, line);
        // pid (comm) state ppid pgrp ...: comm may hold spaces, so count from the last ')'.
        const auto paren = line.rfind(')');
        if (paren == std::string::npos) continue;
        std::istringstream rest(line.substr(paren + 1));
        std::string state;
        long ppid = 0, pgrp = 0;
        if (rest >> state >> ppid >> pgrp && pgrp == group && state != "Z")
            procs.push_back("/proc/" + name);
    }
    ::closedir(d);
    return procs;
}

// This network namespace's TCP sockets by inode: listening (state 0A) or a connection at any
// stage of its life, and for a listener the connections waiting in its accept queue (the
// rx_queue column of its row).
struct TcpSocket {
    bool listening = false;
    std::size_t accept_queue = 0;
};

std::map<std::string, TcpSocket> tcp_sockets() {
    std::map<std::string, TcpSocket> sockets;
    for (const char* table : {"/proc/self/net/tcp", "/proc/self/net/tcp6"}) {
        std::ifstream in(table);
        std::string line;
        std::getline(in, line);  // the header
        while (std::getline(in, line)) {
            std::istringstream fields(line);
            std::string sl, local, remote, state, queues, skip, inode;
            fields >> sl >> local >> remote >> state >> queues;
            for (int i = 0; i < 4; ++i) fields >> skip;  // tr:when retrnsmt uid timeout
            if (!(fields >> inode)) continue;
            const bool listening = state == "0A";
            const auto colon = queues.find(':');
            const std::size_t rx =
                colon == std::string::npos ? 0 : std::stoul(queues.substr(colon + 1), nullptr, 16);
            sockets[inode] = {listening, listening ? rx : 0};
        }
    }
    return sockets;
}

// What the server's processes have yet to be done with: the connections they hold open and
// those still queued on their listeners (a fork master under a sanitizer takes seconds to
// fork for a thousand). Counted from sockets rather than all fds: a prefork or fork master
// may still be starting workers when a first request is served, and each new process brings
// listeners and event fds of its own, which would read as a leak.
struct Unfinished {
    std::size_t open = 0;
    std::size_t queued = 0;
};

Unfinished unfinished_connections(pid_t group) {
    const std::map<std::string, TcpSocket> sockets = tcp_sockets();
    std::set<std::string> listeners;  // each counted once, however many processes share it
    Unfinished u;
    for (const std::string& p : group_procs(group)) {
        DIR* d = ::opendir((p + "/fd").c_str());
        if (d == nullptr) continue;
        while (const dirent* e = ::readdir(d)) {
            char target[64] = {};
            const std::string link = p + "/fd/" + e->d_name;
            if (::readlink(link.c_str(), target, sizeof target - 1) <= 0) continue;
            const std::string_view t(target);
            if (!t.starts_with("socket:[") || !t.ends_with("]")) continue;
            const std::string inode(t.substr(8, t.size() - 9));
            const auto it = sockets.find(inode);
            if (it == sockets.end()) continue;
            if (!it->second.listening)
                ++u.open;
            else if (listeners.insert(inode).second)
                u.queued += it->second.accept_queue;
        }
        ::closedir(d);
    }
    return u;
}

// VmRSS in KiB of each of the server's processes, by /proc path.
std::map<std::string, std::size_t> rss_by_process(pid_t group) {
    std::map<std::string, std::size_t> kib;
    for (const std::string& p : group_procs(group)) {
        std::ifstream status(p + "/status");
        for (std::string line; std::getline(status, line);)
            if (line.rfind("VmRSS:", 0) == 0) kib[p] = std::stoul(line.substr(6));
    }
    return kib;
}

// The memory of the processes that stay: the largest RSS each had at the baseline rounds, and
// what the same processes have now. A fork child still ending after its connection, or a
// prefork worker started after the baseline, is in neither sum.
struct RssGrowth {
    std::map<std::string, std::size_t> baseline;
    void sample_baseline(pid_t group) {
        for (const auto& [proc, kib] : rss_by_process(group))
            baseline[proc] = std::max(baseline[proc], kib);
    }
    std::pair<std::size_t, std::size_t> before_and_now(pid_t group) const {
        std::size_t before = 0, now = 0;
        for (const auto& [proc, kib] : rss_by_process(group)) {
            if (const auto it = baseline.find(proc); it != baseline.end()) {
                before += it->second;
                now += kib;
            }
        }
        return {before, now};
    }
};

template <typename Pred>
bool eventually(Pred pred, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!pred()) {
        if (std::chrono::steady_clock::now() >= deadline) return false;
        std::this_thread::sleep_for(20ms);
    }
    return true;
}

// 1,000 clients connect and send a ClientHello, then all vanish (half of them with a reset).
void abandon_handshakes(std::uint16_t port) {
    const std::string hello = client_hello();
    std::vector<std::unique_ptr<RawClient>> clients;
    for (int i = 0; i < 1000; ++i) {
        clients.push_back(std::make_unique<RawClient>(port, over(Transport::plain)));
        clients.back()->send(hello);  // a server that already closed on us is no failure here
    }
    for (std::size_t i = 0; i < clients.size(); i += 2) clients[i]->reset();
    clients.clear();
}

}  // namespace

TEST_CASE("TLS: hostile handshakes are closed without harm", "[tls][hostile]") {
    MODEL_UNDER_TEST();
    const std::uint16_t port = shared_server(model, {}, Transport::tls).tls_port();
    REQUIRE(port != 0);
    SECTION("plain HTTP to the TLS port gets 400 and a close") { plain_http_gets_400(port); }
    SECTION("garbage bytes are closed") { garbage_closed(port, "\x01\x02\x03 not TLS at all\r\n"); }
    SECTION("a garbage handshake record is closed") { garbage_closed(port, junk_record()); }
    SECTION("a truncated ClientHello is closed by the header timeout") { truncated_hello(port); }
    SECTION("a handshake dribbled a byte at a time completes") {
        const std::vector<std::string> patient = {"--header-timeout",
                                                  std::to_string(dribble_deadline.count()) + "s"};
        dribbled(shared_server(model, patient, Transport::tls).tls_port());
    }
    SECTION("a reset mid-handshake harms nothing") { abort_mid_handshake(port, true); }
    SECTION("a FIN mid-handshake is closed") { abort_mid_handshake(port, false); }
    SECTION("a stall mid-handshake is closed by the header timeout") { stall_mid_handshake(port); }
    SECTION("SIGTERM: the server exits with status 0 in time") {
        check_clean_stop(model, {}, Transport::tls);
    }
}

// Memory: malloc keeps what the peak of a round needed (arenas, a worker's pools, the thread
// model's stacks), and that peak depends on how many connections were in flight at once, which
// a loaded machine changes from round to round. So the baseline is the larger RSS after
// rounds 1 and 2, and three more rounds must not grow it by more than a generous bound, far
// below what 3,000 leaked TLS connections would cost (each an SSL object, a BIO pair and
// OpenSSL's read buffer, about 45 KiB: some 130 MiB; their sockets are checked too).
// The server runs with one malloc arena: with glibc's default (8 per core) the thread model's
// 1,000 threads spread their frees over many arenas and RSS went up and down by 30 MiB with
// no trend: fragmentation, not a leak, and noise enough to hide one.
TEST_CASE("TLS: 1,000 handshakes abandoned at once leak nothing", "[tls][hostile][leak]") {
    MODEL_UNDER_TEST();
    ::setenv("MALLOC_ARENA_MAX", "1", 1);  // the server inherits it; this process is running
    ServerProcess server(model, web_root().path(), standard_flags(), Transport::tls);
    ::unsetenv("MALLOC_ARENA_MAX");
    const pid_t group = server.pid();
    const std::uint16_t port = server.tls_port();
    still_serves(port);  // what a process allocates once is in every baseline
    const std::size_t connections_before = unfinished_connections(group).open;
    RssGrowth memory;
    for (int round = 1; round <= 5; ++round) {
        INFO("round " << round << " of 1,000 abandoned handshakes");
        abandon_handshakes(port);
        Unfinished left;
        const bool finished = eventually(
            [&] {
                left = unfinished_connections(group);
                return left.open <= connections_before && left.queued == 0;
            },
            header_timeout + 30s);
        INFO("TCP connections the server's processes hold: " << connections_before << " before, "
                                                             << left.open << " after, and "
                                                             << left.queued << " not accepted yet");
        CHECK(finished);
        // Only now: the thread model's fresh connection competes for the CPU with up to a
        // thousand handshakes still being answered, which can take longer than a read waits.
        still_serves(port);
        if (round <= 2) memory.sample_baseline(group);
    }
    const auto [rss_before, rss_after] = memory.before_and_now(group);
    INFO("RSS of the server's lasting processes after rounds 1-2 (the larger): "
         << rss_before << " KiB, after round 5: " << rss_after << " KiB");
    CHECK(rss_before > 0);  // the master at least was there throughout
#if defined(__SANITIZE_ADDRESS__)
    // AddressSanitizer holds freed memory in its quarantine (up to 256 MiB a process) by
    // design, so RSS says nothing here; its LeakSanitizer checks the server at exit instead.
    (void)rss_after;
#else
    CHECK(rss_after <= rss_before + 32 * 1024);
#endif
    INFO("server output:\n" << server.output_tail());
    CHECK(server.running());
    check_exit(server.stop(stop_grace), server);
}
