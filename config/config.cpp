#include "config/config.hpp"

#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <filesystem>
#include <thread>

namespace config {
namespace {

constexpr std::array<std::string_view, 3> access_log_formats = {"common", "combined", "json"};

constexpr std::array<std::string_view, 7> log_levels = {"trace", "debug",    "info", "warn",
                                                        "error", "critical", "off"};

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;
constexpr unsigned max_workers = 1024;

std::optional<std::uint16_t> parse_port(std::string_view text) {
    unsigned value = 0;
    const char* last = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), last, value);
    if (text.empty() || ec != std::errc{} || ptr != last || value > 65535) return std::nullopt;
    return static_cast<std::uint16_t>(value);
}

// A name we can hand to getaddrinfo later, or a dotted quad. Dotted-quad look-alikes such as
// "300.1.1.1" are rejected here rather than surfacing as a confusing resolver error at bind.
bool valid_host(std::string_view host) {
    if (host.empty()) return false;
    const bool allowed = std::all_of(host.begin(), host.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '-' || c == '.';
    });
    if (!allowed) return false;
    const bool numeric = std::all_of(host.begin(), host.end(),
                                     [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
    if (!numeric) return true;
    in_addr addr{};
    return inet_pton(AF_INET, std::string(host).c_str(), &addr) == 1;
}

bool valid_v6(std::string_view host) {
    in6_addr addr{};
    return !host.empty() && inet_pton(AF_INET6, std::string(host).c_str(), &addr) == 1;
}

std::optional<std::string> check_root(const std::string& root) {
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::status(root, ec);
    if (st.type() == fs::file_type::not_found) return "--root: '" + root + "' does not exist";
    if (ec) return "--root: cannot access '" + root + "': " + ec.message();
    if (st.type() != fs::file_type::directory)
        return "--root: '" + root + "' is not a directory";
    return std::nullopt;
}

std::optional<std::string> check_index(const std::vector<std::string>& names) {
    for (const auto& name : names) {
        // An index name is looked up inside the requested directory, never a path.
        if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
            return "--index: invalid file name '" + name + "' (a plain name like index.html)";
    }
    return std::nullopt;
}

std::optional<std::string> check_limits(const Config& cfg) {
    if (cfg.workers > max_workers)
        return "--workers: " + std::to_string(cfg.workers) + " is above the maximum of 1024";
    if (cfg.max_connections < 1) return "--max-connections: must be at least 1";
    if (cfg.max_head_size < KiB || cfg.max_head_size > MiB)
        return "--max-head-size: " + std::to_string(cfg.max_head_size) +
               " is outside 1k..1M bytes";
    if (cfg.max_target_size < 256 || cfg.max_target_size > cfg.max_head_size)
        return "--max-target-size: " + std::to_string(cfg.max_target_size) +
               " is outside 256..max-head-size (" + std::to_string(cfg.max_head_size) + ") bytes";
    return std::nullopt;
}

// The status path is compared with the raw request target, so it must be a plain absolute
// path that no client could spell differently (no escapes, query, fragment or dot segments).
std::optional<std::string> check_status_path(const std::string& path) {
    if (path.empty()) return std::nullopt;
    const bool plain = std::all_of(path.begin(), path.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '/' || c == '-' || c == '_' || c == '.';
    });
    if (path.front() != '/' || !plain || path.find("/.") != std::string::npos ||
        path.find("//") != std::string::npos)
        return "--status-path: invalid path '" + path +
               "' (an absolute path of letters, digits, -, _, . and /, such as /metrics)";
    return std::nullopt;
}

std::optional<std::string> check_logs_and_identity(const Config& cfg) {
    if (cfg.access_log.empty())
        return "--access-log: empty path (use a file path, - for stdout, or off)";
    if (std::find(access_log_formats.begin(), access_log_formats.end(), cfg.access_log_format) ==
        access_log_formats.end())
        return "--access-log-format: unknown format '" + cfg.access_log_format +
               "' (use common, combined or json)";
    if (cfg.error_log.empty()) return "--error-log: empty path (use a file path or - for stderr)";
    if (auto err = check_status_path(cfg.status_path)) return err;
    if (!cfg.user.empty() && !resolve_user(cfg.user))
        return "--user: no such user '" + cfg.user + "'";
    if (!cfg.group.empty() && !resolve_group(cfg.group))
        return "--group: no such group '" + cfg.group + "'";
    return std::nullopt;
}

std::optional<unsigned> parse_id(const std::string& text) {
    unsigned value = 0;
    const char* last = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), last, value);
    if (text.empty() || ec != std::errc{} || ptr != last) return std::nullopt;
    return value;
}

std::optional<std::string> check_timeouts(const Config& cfg) {
    const std::pair<std::string_view, std::chrono::milliseconds> timeouts[] = {
        {"--header-timeout", cfg.header_timeout},
        {"--keepalive-timeout", cfg.keepalive_timeout},
        {"--send-timeout", cfg.send_timeout},
        {"--shutdown-timeout", cfg.shutdown_timeout},
    };
    for (const auto& [name, value] : timeouts) {
        if (value.count() <= 0) return std::string(name) + ": must be greater than zero";
    }
    return std::nullopt;
}

}  // namespace

std::optional<ListenAddress> parse_listen(std::string_view text) {
    ListenAddress out;
    std::string_view port;
    if (text.starts_with('[')) {
        const auto close = text.find(']');
        if (close == std::string_view::npos || text.substr(close + 1).substr(0, 1) != ":")
            return std::nullopt;
        out.host = std::string(text.substr(1, close - 1));
        out.v6 = true;
        port = text.substr(close + 2);
        if (!valid_v6(out.host)) return std::nullopt;
    } else {
        // rfind would let "::1:80" through as host "::1"; IPv6 must be bracketed.
        const auto colon = text.find(':');
        if (colon == std::string_view::npos) return std::nullopt;
        out.host = std::string(text.substr(0, colon));
        port = text.substr(colon + 1);
        if (out.host.empty() || out.host == "*") out.host = "0.0.0.0";
        if (!valid_host(out.host)) return std::nullopt;
    }
    const auto p = parse_port(port);
    if (!p) return std::nullopt;
    out.port = *p;
    return out;
}

std::optional<std::string> validate(const Config& cfg) {
    if (!parse_listen(cfg.listen))
        return "--listen: invalid address '" + cfg.listen +
               "' (use host:port, [ipv6]:port or :port, port 0-65535)";
    if (auto err = check_root(cfg.root)) return err;
    if (std::find(log_levels.begin(), log_levels.end(), cfg.log_level) == log_levels.end())
        return "--log-level: unknown level '" + cfg.log_level +
               "' (use trace, debug, info, warn, error, critical or off)";
    if (auto err = check_logs_and_identity(cfg)) return err;
    if (auto err = check_index(cfg.index)) return err;
    if (auto err = check_limits(cfg)) return err;
    return check_timeouts(cfg);
}

// getpwnam_r/getgrnam_r, not the static-buffer versions: a reload validates on the control
// thread while other threads run.
std::optional<unsigned> resolve_user(const std::string& name) {
    if (auto id = parse_id(name)) return id;
    passwd pw{};
    passwd* found = nullptr;
    std::array<char, 16384> buf{};
    if (::getpwnam_r(name.c_str(), &pw, buf.data(), buf.size(), &found) != 0 || !found)
        return std::nullopt;
    return pw.pw_uid;
}

std::optional<unsigned> resolve_group(const std::string& name) {
    if (auto id = parse_id(name)) return id;
    group gr{};
    group* found = nullptr;
    std::array<char, 16384> buf{};
    if (::getgrnam_r(name.c_str(), &gr, buf.data(), buf.size(), &found) != 0 || !found)
        return std::nullopt;
    return gr.gr_gid;
}

unsigned resolve_workers(unsigned workers) noexcept {
    if (workers != 0) return workers;
    // hardware_concurrency() may return 0 when the count is unknown.
    return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace config
