// Set-up for tests of a serving loop (the reactor, the io_uring loop, the blocking driver): a
// Context built the way main() builds it (a Runtime from a Config, an access log, Stats) over
// a loopback listener and a throwaway web root, and that Context served in a forked child.
//
// Why a child: a loop returns only once a stop is requested, and requesting this process's
// Shutdown cannot be undone (every later test would see it). server::Children gives the child
// a private stop that SIGTERM fires, exactly as fork and prefork stop theirs. Used from the
// test's main thread only; throws (std::system_error, via the socket helpers) so Catch reports.
#pragma once

#include <signal.h>

#include <chrono>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <string_view>
#include <system_error>

#include "config/config.hpp"
#include "server/proc/children.hpp"
#include "server/runtime/context.hpp"
#include "unit/http/temp_root.hpp"
#include "unit/server/proc/installed_stop.hpp"
#include "unit/server/sockets.hpp"

namespace test {

// What a test changes in the Config before the Runtime is built (the root is set already).
using TuneConfig = std::function<void(config::Config&)>;

// hello.txt, which every LoopbackSite serves, asked for on a kept-alive connection.
inline constexpr std::string_view get_hello = "GET /hello.txt HTTP/1.1\r\nHost: x\r\n\r\n";

// A Context on 127.0.0.1:<ephemeral port> (or several such listeners); the web root
// (tmp.root()) holds hello.txt ("hello\n"). Nothing accepts on the listeners until a loop
// serves the Context.
struct LoopbackSite {
    TempRoot tmp;
    // Zeroed counters of this site's own, not the process's shared mapping (Stats::shared()),
    // so one test's counts never leak into another's.
    server::Stats* stats = new (::operator new(sizeof(server::Stats))) server::Stats{};
    server::ListenerSet listeners;
    server::AccessLog access_log{"off"};
    server::MetricsSource metrics{*stats, "test", std::chrono::steady_clock::now()};
    std::unique_ptr<server::Context> ctx;

    explicit LoopbackSite(const TuneConfig& tune = {}, std::size_t listener_count = 1)
        : listeners(
              server::ListenerSet::bind(std::vector<std::string>(listener_count, "127.0.0.1:0"))) {
        tmp.file("root/hello.txt", "hello\n");
        config::Config cfg;
        cfg.root = tmp.root();
        if (tune) tune(cfg);
        ctx = std::make_unique<server::Context>(listeners, server::Shutdown::instance(), access_log,
                                                *stats, server::make_runtime(cfg, metrics));
    }
    ~LoopbackSite() {
        ctx.reset();
        ::operator delete(stats);
    }
    LoopbackSite(const LoopbackSite&) = delete;
    LoopbackSite& operator=(const LoopbackSite&) = delete;

    [[nodiscard]] std::uint16_t port(std::size_t listener = 0) const {
        return local_port(listeners[listener].fd());
    }
};

// How a model serves a Context to its end: run_reactors with a poller, run_uring_loops, ...
using Serve = std::function<std::error_code(server::Context&)>;

// A LoopbackSite served by `serve` in a child, which exits 0 when serve returns no error
// (1 otherwise). Clients must connect after construction: a socket opened before the fork would
// live on in the child, and closing it here would then not reach the server.
class ServedChild {
public:
    explicit ServedChild(const Serve& serve, const TuneConfig& tune = {},
                         std::size_t listener_count = 1)
        : site_(with_slow_drain(tune), listener_count) {
        pid_ = children_.spawn(installed_stop(), [&] { return serve(*site_.ctx) ? 1 : 0; });
        if (pid_ <= 0) fail_errno("fork");
    }
    // A test that failed half-way leaves its child running: SIGTERM, then SIGKILL.
    ~ServedChild() {
        children_.stop_all(std::chrono::seconds(2), installed_stop(), *site_.stats,
                           [](pid_t, int) {});
    }
    ServedChild(const ServedChild&) = delete;
    ServedChild& operator=(const ServedChild&) = delete;

    [[nodiscard]] poly::UniqueFd connect(std::size_t listener = 0) const {
        return connect_loopback(site_.port(listener));
    }
    // The web root's tree: a file added here before its first request is served (the child
    // opens files per request, through the same file system).
    [[nodiscard]] const TempRoot& files() const noexcept { return site_.tmp; }

    // SIGTERM, then how the child ended ("exit status 0"), or "still running" after 10 s.
    std::string stop() {
        children_.signal(pid_, SIGTERM);
        std::string how = "still running";
        children_.wait_all(std::chrono::steady_clock::now() + std::chrono::seconds(10),
                           [&](pid_t, int status) { how = server::describe_wait_status(status); });
        return how;
    }

private:
    // One loop thread, and a drain far longer than any bound the tests wait: a connection
    // that closes at a stop closed because it was idle, not because the drain ran out.
    static TuneConfig with_slow_drain(const TuneConfig& tune) {
        return [tune](config::Config& cfg) {
            cfg.workers = 1;
            cfg.shutdown_timeout = std::chrono::seconds(60);
            if (tune) tune(cfg);
        };
    }

    LoopbackSite site_;
    server::Children children_;
    pid_t pid_ = -1;
};

}  // namespace test
