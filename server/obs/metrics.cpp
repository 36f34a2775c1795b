#include "server/obs/metrics.hpp"

#include <iterator>

#include <spdlog/fmt/fmt.h>

#include "config/version.hpp"
#include "server/obs/scoreboard.hpp"

namespace server {
namespace {

template <typename... Args>
void put(std::string& out, fmt::format_string<Args...> f, Args&&... args) {
    fmt::format_to(std::back_inserter(out), f, std::forward<Args>(args)...);
}

std::uint64_t load(const std::atomic<std::uint64_t>& a) {
    return a.load(std::memory_order_relaxed);
}

// The model name is ours (registry names), but escape per the format anyway.
std::string label_value(std::string_view v) {
    std::string out;
    for (const char c : v) {
        if (c == '\\' || c == '"') out.push_back('\\');
        if (c == '\n') {
            out += "\\n";
            continue;
        }
        out.push_back(c);
    }
    return out;
}

// One unlabelled counter family: HELP, TYPE and its sample.
void counter(std::string& out, std::string_view name, std::string_view help, std::uint64_t v) {
    put(out, "# HELP {} {}\n# TYPE {} counter\n{} {}\n", name, help, name, name, v);
}

// The handshakes of every TLS stream of the run (Stats::tls), as the shared counters hold them.
void render_tls(std::string& out, const TlsCounters& t) {
    counter(out, "polyhttpd_tls_handshakes_total", "TLS handshakes completed.", load(t.handshakes));
    counter(out, "polyhttpd_tls_resumed_total",
            "TLS handshakes completed by resuming a session from a ticket.", load(t.resumed));
    counter(out, "polyhttpd_tls_handshake_failures_total",
            "TLS handshakes that ended unfinished after the client sent bytes "
            "(garbage, plain HTTP, a refused version, a timeout).",
            load(t.handshake_failures));
}

void render_histogram(std::string& out, const Stats& s) {
    out +=
        "# HELP polyhttpd_request_duration_seconds Time from request head to last byte sent.\n"
        "# TYPE polyhttpd_request_duration_seconds histogram\n";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < Stats::duration_bounds_us.size(); ++i) {
        cumulative += load(s.duration_buckets[i]);
        put(out, "polyhttpd_request_duration_seconds_bucket{{le=\"{}\"}} {}\n",
            static_cast<double>(Stats::duration_bounds_us[i]) / 1e6, cumulative);
    }
    cumulative += load(s.duration_buckets[Stats::duration_bounds_us.size()]);
    put(out, "polyhttpd_request_duration_seconds_bucket{{le=\"+Inf\"}} {}\n", cumulative);
    put(out, "polyhttpd_request_duration_seconds_sum {}\n",
        static_cast<double>(load(s.duration_sum_us)) / 1e6);
    put(out, "polyhttpd_request_duration_seconds_count {}\n", cumulative);
}

// prefork's pool: the workers per scoreboard state (free slots left out), then the table, as
// comment lines, which Prometheus ignores and a person reading the page with curl sees as
// Apache's server-status table.
void render_workers(std::string& out, const Scoreboard& board,
                    std::chrono::steady_clock::time_point now) {
    out +=
        "# HELP polyhttpd_workers Worker processes by state (prefork's scoreboard).\n"
        "# TYPE polyhttpd_workers gauge\n";
    const ScoreCounts c = board.counts();
    for (std::size_t i = 1; i < worker_state_count; ++i) {
        const auto st = static_cast<WorkerState>(i);
        put(out, "polyhttpd_workers{{state=\"{}\"}} {}\n", state_name(st), c.of(st));
    }
    board.render(out, "# ", now);
}

}  // namespace

void render_metrics(std::string& out, const MetricsSource& src,
                    std::chrono::steady_clock::time_point now) {
    const Stats& s = src.stats;
    out +=
        "# HELP polyhttpd_info The running server; the value is always 1.\n"
        "# TYPE polyhttpd_info gauge\n";
    put(out, "polyhttpd_info{{model=\"{}\",version=\"{}\"}} 1\n", label_value(src.model),
        config::version);
    out +=
        "# HELP polyhttpd_uptime_seconds Seconds since the server started.\n"
        "# TYPE polyhttpd_uptime_seconds gauge\n";
    put(out, "polyhttpd_uptime_seconds {:.3f}\n",
        std::chrono::duration<double>(now - src.started).count());
    out +=
        "# HELP polyhttpd_requests_total Responses sent, by status class.\n"
        "# TYPE polyhttpd_requests_total counter\n";
    for (int c = 1; c <= 5; ++c)
        put(out, "polyhttpd_requests_total{{class=\"{}xx\"}} {}\n", c,
            load(s.requests_by_class[c]));
    counter(out, "polyhttpd_bytes_sent_total", "Response body bytes sent.", load(s.bytes_sent));
    counter(out, "polyhttpd_connections_total", "Connections accepted.", load(s.connections_total));
    out +=
        "# HELP polyhttpd_connections_active Connections open now.\n"
        "# TYPE polyhttpd_connections_active gauge\n";
    put(out, "polyhttpd_connections_active {}\n",
        s.connections_active.load(std::memory_order_relaxed));
    render_histogram(out, s);
    render_tls(out, s.tls);
    if (s.scoreboard != nullptr) render_workers(out, *s.scoreboard, now);
}

void MetricsEndpoint::render(std::string& body, std::string_view& content_type) const {
    render_metrics(body, src_);
    content_type = "text/plain; version=0.0.4; charset=utf-8";
}

}  // namespace server
