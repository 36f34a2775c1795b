// Context: what every model receives from main(). The listeners, stop state, access log and
// stats live for the whole run. The Runtime (configuration, static handler, limits) is an
// immutable snapshot that a reload replaces: a model takes runtime() once per connection and
// keeps that shared_ptr for the connection's life, so a reload never changes the rules under
// a request in flight and the old snapshot dies with its last connection.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <vector>

#include "config/config.hpp"
#include "http/connection.hpp"
#include "http/static/static_handler.hpp"
#include "server/obs/access_log.hpp"
#include "server/obs/metrics.hpp"
#include "server/obs/stats.hpp"
#include "server/runtime/timeouts.hpp"
#include "server/sys/listener_set.hpp"
#include "server/sys/shutdown.hpp"
#include "server/tls/tls_context.hpp"

namespace server {

class StopLog;

struct Runtime {
    // Throws std::system_error when the root cannot be opened (startup or reload), and
    // std::runtime_error (one line naming the file) when a TLS certificate or key is refused.
    explicit Runtime(const config::Config& c);

    config::Config cfg;
    http::SiteTable sites;  // the default site and the [[site]] tables
    http::ConnectionLimits limits;
    Timeouts timeouts;
    // The certificates and TLS settings for connections of TLS listeners; null when neither
    // --tls-listen nor --tls-cert is set (under socket activation the TLS sockets come from
    // systemd, so the certificate alone asks for it). Built with the snapshot, so a reload swaps
    // certificates for new handshakes while connections in flight keep theirs.
    std::shared_ptr<const tls::TlsContext> tls;
};

// Builds the snapshot that models serve from: the Runtime for a Config plus, when status-path
// is set, the metrics endpoint wired into its ConnectionLimits. The endpoint lives inside the
// snapshot, so it dies with the last connection that can still reach it. Throws like
// Runtime's constructor (a root that cannot be opened).
std::shared_ptr<const Runtime> make_runtime(const config::Config& cfg, const MetricsSource& src);

// Whether a configuration serves TLS: a --tls-listen address, or a certificate alone, the top
// level's or a [[site]]'s (how a socket-activated server, whose https socket systemd passes,
// asks for it). Startup, reload and --check-config decide by this one rule.
bool wants_tls(const config::Config& cfg) noexcept;
// --tls-cert and --tls-key as pairs, in order (validation made their counts equal), then each
// [[site]]'s own pair; each pair once.
std::vector<tls::CertKeyFiles> cert_key_files(const config::Config& cfg);

class Context {
public:
    Context(ListenerSet& l, Shutdown& s, AccessLog& log, Stats& st,
            std::shared_ptr<const Runtime> initial)
        : listeners(l), shutdown(s), access_log(log), stats(st), runtime_(std::move(initial)) {}

    [[nodiscard]] std::shared_ptr<const Runtime> runtime() const {
        const std::lock_guard lock(runtime_mu_);
        return runtime_;
    }
    // Installs a reloaded snapshot; generation() then changes, which process-based models
    // (whose children cannot see this process's memory) watch to replace their workers.
    void publish(std::shared_ptr<const Runtime> r) {
        {
            const std::lock_guard lock(runtime_mu_);
            runtime_.swap(r);
        }  // the old snapshot (now in r) may die here, outside the lock
        generation_.fetch_add(1, std::memory_order_acq_rel);
    }
    [[nodiscard]] std::uint64_t generation() const noexcept {
        return generation_.load(std::memory_order_acquire);
    }

    // Every listening socket (at least one); a model accepts on all of them, and tags each
    // connection with its listener's kind (Accepted::kind).
    ListenerSet& listeners;
    Shutdown& shutdown;
    AccessLog& access_log;
    Stats& stats;
    // Set by Model::run() for the run (stop_log.hpp: announce_stop()); null otherwise.
    const StopLog* stop_log = nullptr;

private:
    // A mutex, not std::atomic<std::shared_ptr>: libstdc++ 12's load() releases its internal
    // lock with a relaxed store, so a store() racing with it is a data race by the memory
    // model (ThreadSanitizer reports it; on a weakly ordered CPU the reader could pair the new
    // pointer with the old count). One uncontended lock per connection is cheap. A forked
    // child never takes this lock (fork and prefork hand it a Context of its own), so a lock
    // held by the control thread at the fork instant cannot deadlock it.
    mutable std::mutex runtime_mu_;
    std::shared_ptr<const Runtime> runtime_;
    std::atomic<std::uint64_t> generation_{0};
};

}  // namespace server
