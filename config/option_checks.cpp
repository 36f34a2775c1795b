// The single-option checks the option table names (option_checks.hpp).
#include "config/option_checks.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <filesystem>

#include "base/plural.hpp"
#include "config/site_rules.hpp"
#include "config/units.hpp"

namespace config::checks {
namespace {

using ms = std::chrono::milliseconds;
using Result = std::optional<std::string>;

constexpr std::size_t KiB = 1024;
constexpr std::size_t MiB = 1024 * KiB;
constexpr unsigned max_workers = 1024;

// Compared as parsed (":80" is "0.0.0.0:80"), so a second bind cannot fail on it later; port 0
// asks for a fresh ephemeral port each time, so it never names the same socket twice.
bool same_socket(const ListenAddress& a, const ListenAddress& b) {
    return a.port != 0 && a.port == b.port && a.host == b.host && a.v6 == b.v6;
}

std::vector<ListenAddress> parsed(const std::vector<std::string>& addresses) {
    std::vector<ListenAddress> out;
    for (const std::string& address : addresses)
        if (auto la = parse_listen(address)) out.push_back(*la);
    return out;
}

}  // namespace

// --listen and --tls-listen: the list this option fills.
Result check_listen(const Config& cfg, const Option& opt) {
    const auto& addresses = cfg.*std::get<std::vector<std::string> Config::*>(opt.field);
    if (&addresses == &cfg.listen && addresses.empty() && cfg.tls_listen.empty())
        return flag(opt) + ": no address (give at least one, or --tls-listen for HTTPS only)";
    std::vector<ListenAddress> seen;
    for (const std::string& address : addresses) {
        if (!opt.none_word.empty() && address == opt.none_word)
            return flag(opt) + ": '" + address + "' stands alone, never beside addresses";
        const auto la = parse_listen(address);
        if (!la)
            return flag(opt) + ": invalid address '" + address +
                   "' (use host:port, [ipv6]:port or :port, port 0-65535)";
        const auto same = [&](const ListenAddress& s) { return same_socket(s, *la); };
        if (std::any_of(seen.begin(), seen.end(), same))
            return flag(opt) + ": '" + address + "' is given twice";
        seen.push_back(*la);
    }
    return std::nullopt;
}

Result check_tls_listen(const Config& cfg, const Option& opt) {
    if (auto err = check_listen(cfg, opt)) return err;
    const std::vector<ListenAddress> plain = parsed(cfg.listen);
    for (const std::string& address : cfg.tls_listen) {
        const ListenAddress la = *parse_listen(address);  // check_listen passed it
        const auto same = [&](const ListenAddress& p) { return same_socket(p, la); };
        if (std::any_of(plain.begin(), plain.end(), same))
            return flag(opt) + ": '" + address +
                   "' is also a --listen address (a port serves HTTP or HTTPS, not both)";
    }
    // A [[site]]'s certificate serves too (the first pair is then the default).
    const bool site_pair = std::any_of(cfg.sites.begin(), cfg.sites.end(),
                                       [](const Site& s) { return !s.config.tls_cert.empty(); });
    if (!cfg.tls_listen.empty() && cfg.tls_cert.empty() && cfg.tls_key.empty() && !site_pair)
        return flag(opt) + " needs a certificate: give --tls-cert and --tls-key";
    return std::nullopt;
}

Result check_tls_pairs(const Config& cfg, const Option& opt) {
    const std::size_t keys = cfg.tls_key.size(), certs = cfg.tls_cert.size();
    if (keys == certs) return std::nullopt;
    return flag(opt) + ": " + std::to_string(keys) + " key" + poly::plural(keys) + " for " +
           std::to_string(certs) + " certificate" + poly::plural(certs) +
           " (--tls-cert and --tls-key come in pairs, in the same order)";
}

Result check_root(const Config& cfg, const Option& opt) {
    namespace fs = std::filesystem;
    const std::string& root = cfg.root;
    std::error_code ec;
    const fs::file_status st = fs::status(root, ec);
    if (st.type() == fs::file_type::not_found) return flag(opt) + ": '" + root + "' does not exist";
    if (ec) return flag(opt) + ": cannot access '" + root + "': " + ec.message();
    if (st.type() != fs::file_type::directory)
        return flag(opt) + ": '" + root + "' is not a directory";
    if (cfg.allow_system_root) return std::nullopt;
    const fs::path real = fs::canonical(root, ec);
    if (ec) return flag(opt) + ": cannot resolve '" + root + "': " + ec.message();
    const std::string system = system_directory(real.string());
    if (system.empty()) return std::nullopt;
    // Names the resolved path: "." under systemd is "/", which the admin never typed.
    const std::string what =
        real == root ? "'" + root + "' is" : "'" + root + "' resolves to '" + real.string() + "',";
    const std::string where =
        system == real ? " a system directory" : " inside the system directory " + system;
    return flag(opt) + ": " + what + where +
           "; serving it would publish the machine's own files (--allow-system-root if meant)";
}

Result check_index(const Config& cfg, const Option& opt) {
    for (const auto& name : cfg.index) {
        // An index name is looked up inside the requested directory, never a path.
        if (name.empty() || name == "." || name == ".." || name.find('/') != std::string::npos)
            return flag(opt) + ": invalid file name '" + name + "' (a plain name like index.html)";
    }
    return std::nullopt;
}

Result check_compress(const Config& cfg, const Option& opt) {
    constexpr std::array<std::string_view, 3> encodings = {"br", "zstd", "gzip"};
    for (auto it = cfg.compress.begin(); it != cfg.compress.end(); ++it) {
        if (*it == opt.none_word)
            return flag(opt) + ": '" + *it + "' stands alone, never beside encodings";
        if (std::find(encodings.begin(), encodings.end(), *it) == encodings.end())
            return flag(opt) + ": unknown encoding " + rules::shown(*it) + " (use " +
                   list_choices(encodings) + ")";
        if (std::find(cfg.compress.begin(), it, *it) != it)
            return flag(opt) + ": '" + *it + "' is given twice";
    }
    return std::nullopt;
}

Result check_compress_types(const Config& cfg, const Option& opt) {
    for (const std::string& type : cfg.compress_types)
        if (auto err = rules::check_media_range(type)) return flag(opt) + ": " + *err;
    return std::nullopt;
}

Result check_compress_max_size(const Config& cfg, const Option& opt) {
    if (cfg.compress_max_size >= cfg.compress_min_size) return std::nullopt;
    return flag(opt) + ": " + format_size(cfg.compress_max_size) +
           " is below --compress-min-size (" + format_size(cfg.compress_min_size) + ")";
}

Result check_fallback(const Config& cfg, const Option& opt) {
    if (cfg.fallback.empty()) return std::nullopt;
    if (auto err = rules::check_root_path(cfg.fallback)) return flag(opt) + ": " + *err;
    return std::nullopt;
}

Result check_strict_hosts(const Config& cfg, const Option& opt) {
    if (!cfg.strict_hosts || !cfg.sites.empty()) return std::nullopt;
    return flag(opt) + ": no [[site]] in the config file, so every request would get 421";
}

Result check_workers(const Config& cfg, const Option& opt) {
    if (cfg.workers <= max_workers || cfg.workers == workers_unset) return std::nullopt;
    return flag(opt) + ": " + std::to_string(cfg.workers) + " is above the maximum of 1024";
}

Result check_max_connections(const Config& cfg, const Option& opt) {
    if (cfg.max_connections >= 1) return std::nullopt;
    return flag(opt) + ": must be at least 1";
}

Result check_positive(const Config& cfg, const Option& opt) {
    if (value<ms>(cfg, opt).count() > 0) return std::nullopt;
    return flag(opt) + ": must be greater than zero";
}

Result check_head_size(const Config& cfg, const Option& opt) {
    if (cfg.max_head_size >= KiB && cfg.max_head_size <= MiB) return std::nullopt;
    return flag(opt) + ": " + std::to_string(cfg.max_head_size) + " is outside 1k..1M bytes";
}

Result check_target_size(const Config& cfg, const Option& opt) {
    if (cfg.max_target_size >= 256 && cfg.max_target_size <= cfg.max_head_size) return std::nullopt;
    return flag(opt) + ": " + std::to_string(cfg.max_target_size) +
           " is outside 256..max-head-size (" + std::to_string(cfg.max_head_size) + ") bytes";
}

Result check_access_log(const Config& cfg, const Option& opt) {
    if (!cfg.access_log.empty()) return std::nullopt;
    return flag(opt) + ": empty path (use a file path, - for stdout, or off)";
}

Result check_error_log(const Config& cfg, const Option& opt) {
    if (!cfg.error_log.empty()) return std::nullopt;
    return flag(opt) + ": empty path (use a file path or - for stderr)";
}

// The status path is compared with the raw request target, so it must be a plain absolute
// path that no client could spell differently (no escapes, query, fragment or dot segments).
Result check_status_path(const Config& cfg, const Option& opt) {
    const std::string& path = cfg.status_path;
    if (path.empty()) return std::nullopt;
    const bool plain = std::all_of(path.begin(), path.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
               c == '/' || c == '-' || c == '_' || c == '.';
    });
    if (path.front() != '/' || !plain || path.find("/.") != std::string::npos ||
        path.find("//") != std::string::npos)
        return flag(opt) + ": invalid path '" + path +
               "' (an absolute path of letters, digits, -, _, . and /, such as /metrics)";
    return std::nullopt;
}

Result check_user(const Config& cfg, const Option& opt) {
    if (cfg.user.empty() || resolve_user(cfg.user)) return std::nullopt;
    return flag(opt) + ": no such user '" + cfg.user + "'";
}

Result check_group(const Config& cfg, const Option& opt) {
    if (cfg.group.empty() || resolve_group(cfg.group)) return std::nullopt;
    return flag(opt) + ": no such group '" + cfg.group + "'";
}

// --redirect-https: a TLS address with a fixed port to send clients to.
Result check_redirect_https(const Config& cfg, const Option& opt) {
    if (!cfg.redirect_https) return std::nullopt;
    if (cfg.tls_listen.empty()) return flag(opt) + ": needs --tls-listen (the port to redirect to)";
    // An unparsable address is --tls-listen's own error, reported before this one.
    const auto to = parse_listen(cfg.tls_listen.front());
    if (to && to->port == 0)
        return flag(opt) + ": the first --tls-listen has port 0; a redirect needs a fixed port";
    return std::nullopt;
}

// --hsts: max-age is a number of seconds.
Result check_hsts(const Config& cfg, const Option& opt) {
    if (value<ms>(cfg, opt).count() % 1000 == 0) return std::nullopt;
    return flag(opt) + ": max-age is whole seconds (use e.g. 365d, 180d or 3600s)";
}

}  // namespace config::checks
