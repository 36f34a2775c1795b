// Metrics: the --status-path page in Prometheus' text exposition format (version 0.0.4),
// rendered from the shared-memory Stats, so the numbers are the whole server's even when a
// prefork worker or a forked child answers the request. render() runs on whichever thread
// serves the request; it only reads atomics, so it is safe anywhere. Under prefork the page
// ends with the workers per state and the scoreboard table (Stats::scoreboard).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "http/endpoint.hpp"
#include "server/obs/stats.hpp"

namespace server {

struct MetricsSource {
    const Stats& stats;
    std::string model;
    std::chrono::steady_clock::time_point started;
};

// Appends the whole exposition to out.
void render_metrics(std::string& out, const MetricsSource& src,
                    std::chrono::steady_clock::time_point now = std::chrono::steady_clock::now());

class MetricsEndpoint final : public http::DynamicEndpoint {
public:
    MetricsEndpoint(std::string path, MetricsSource src)
        : path_(std::move(path)), src_(std::move(src)) {}
    [[nodiscard]] std::string_view path() const noexcept override { return path_; }
    void render(std::string& body, std::string_view& content_type) const override;

private:
    std::string path_;
    MetricsSource src_;
};

}  // namespace server
