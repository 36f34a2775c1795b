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

std::optional<unsigned> parse_id(const std::string& text) {
    unsigned value = 0;
    const char* last = text.data() + text.size();
    auto [ptr, ec] = std::from_chars(text.data(), last, value);
    if (text.empty() || ec != std::errc{} || ptr != last) return std::nullopt;
    return value;
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

std::string system_directory(const std::string& dir) {
    // Everything beneath these is the kernel's or the system's own (devices, credentials,
    // keys, kernel images, runtime sockets); no site lives there.
    constexpr std::array<std::string_view, 7> whole = {"/boot", "/dev", "/etc", "/proc",
                                                       "/root", "/run", "/sys"};
    // These hold sites only in subdirectories (/var/www, /usr/share/doc, /home/alice/site).
    constexpr std::array<std::string_view, 8> exact = {"/",     "/bin", "/home", "/opt",
                                                       "/sbin", "/tmp", "/usr",  "/var"};
    const std::string_view d(dir);
    for (const std::string_view top : whole) {
        if (d == top || (d.starts_with(top) && d[top.size()] == '/')) return std::string(top);
    }
    if (std::find(exact.begin(), exact.end(), d) != exact.end()) return dir;
    // /lib, /lib32, /lib64, /libx32: whatever the architecture calls them.
    if (d.starts_with("/lib") && d.find('/', 1) == std::string_view::npos) return dir;
    return {};
}

std::string resolved_root(const std::string& root) {
    std::error_code ec;
    const auto real = std::filesystem::canonical(root, ec);
    return ec ? root : real.string();
}

unsigned resolve_workers(unsigned workers, unsigned model_default) noexcept {
    if (workers == workers_unset) return model_default;
    if (workers != 0) return workers;
    // hardware_concurrency() may return 0 when the count is unknown.
    return std::max(1u, std::thread::hardware_concurrency());
}

}  // namespace config
