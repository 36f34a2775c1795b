// Config: every run-time option of polyhttpd, with its default. Filled once at startup by
// parse_command_line() (flags and the TOML file given by --config are the same options; flags
// win), then read-only and shared by every thread and process. Each field is declared as an
// option once, in option_table.cpp; a field without an entry there is no option (the site
// tables, read from the --config file only, are the exception: config/file/toml_tables.cpp).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/site.hpp"

namespace config {

// The names a field accepts, in the order of the enums that consume them (server/obs reads
// access_log_formats as AccessLogFormat's names).
inline constexpr std::array<std::string_view, 3> access_log_formats = {"common", "combined",
                                                                       "json"};
inline constexpr std::array<std::string_view, 7> log_levels = {"trace", "debug",    "info", "warn",
                                                               "error", "critical", "off"};
inline constexpr std::array<std::string_view, 2> uring_files_modes = {"sendfile", "splice"};

// --workers not given: the model decides (see resolve_workers).
inline constexpr unsigned workers_unset = std::numeric_limits<unsigned>::max();

struct Site;

struct Config {
    // Serving
    std::string model = "epoll-et";
    // Plain HTTP listening addresses, each bound (repeatable flag, TOML array or "a,b").
    std::vector<std::string> listen = {"127.0.0.1:8080"};
    // HTTPS listening addresses (same forms as listen); empty: no TLS.
    std::vector<std::string> tls_listen;
    // PEM certificate (chain) and key files, in pairs: the certificate is chosen by SNI from
    // each pair's subject alternative names, the first pair is the default.
    std::vector<std::string> tls_cert;
    std::vector<std::string> tls_key;
    // Plain listeners answer with 308 to the https URL on the first tls_listen's port.
    bool redirect_https = false;
    // Strict-Transport-Security max-age sent on TLS responses (whole seconds); 0: none.
    std::chrono::milliseconds hsts{0};
    std::string root = ".";
    std::vector<std::string> index = {"index.html"};
    bool autoindex = false;
    bool hidden = false;
    // A root of / or of a system directory (/etc, /usr, /proc...) is refused unless this says
    // it is meant: a service's working directory is /, so a relative root can land there.
    bool allow_system_root = false;

    // The site (issue 16). Each of these is also a key of a [[site]] table.
    // Compression on the fly: the encodings offered ("br", "zstd", "gzip"), in the server's
    // order of preference; empty: off. The client's Accept-Encoding q-values decide among them.
    std::vector<std::string> compress;
    // Media types compressed (no parameters; "text/*" covers a top-level type).
    std::vector<std::string> compress_types = {
        "text/*",           "application/javascript",       "application/json", "application/xml",
        "application/wasm", "application/manifest+json",    "image/svg+xml",    "font/ttf",
        "font/otf",         "application/vnd.ms-fontobject"};
    std::size_t compress_min_size = 256;               // smaller files are sent as they are
    std::size_t compress_max_size = 64 * 1024 * 1024;  // and larger ones too
    std::size_t compress_cache = 64 * 1024 * 1024;     // compressed variants kept in memory
    // How long a file stays in memory (up to 16 KiB) or open (larger) between two looks at the
    // disk (nginx's open_file_cache_valid); 0: every request opens its file.
    std::chrono::milliseconds file_cache_valid{1000};
    std::string fallback;             // a path served for a missing one (GET/HEAD); empty: off
    bool fallback_only_html = false;  // not for paths whose last segment has an extension
    std::map<unsigned, std::string> error_pages;  // status -> path of a file in the root
    std::vector<HeaderRule> headers;
    std::vector<RedirectRule> redirects;
    CorsRule cors;
    // Virtual hosts: [[site]] tables. A request whose Host matches none gets the top level's
    // site, or 421 with strict_hosts.
    std::vector<Site> sites;
    bool strict_hosts = false;

    // Concurrency
    // workers_unset: not given, each model's own default (1 event loop; prefork's pool of 8);
    // 0: "auto" (one per core). An explicit count, 1 included, is that count.
    unsigned workers = workers_unset;
    unsigned max_connections = 20000;
    unsigned max_requests_per_worker = 0;  // prefork recycles a worker after this many; 0: never
    // prefork's adaptive pool (without --workers), Apache's MinSpareServers, MaxSpareServers and
    // MaxRequestWorkers; extra idle workers are retired one pace at a time (its maintenance).
    unsigned min_spare = 5;
    unsigned max_spare = 10;
    unsigned max_workers = 256;
    std::chrono::milliseconds retire_interval{1000};
    // TCP_DEFER_ACCEPT: the kernel hands a connection over only once its request arrives
    // (or this long after the handshake); 0: off. On by default, for 1 s as h2o always sets it
    // and nginx's listen ... deferred does: the server is woken once per connection, when
    // there is a request to read, instead of once for the handshake and again for the request
    // (issue 18: +35-50 % connections per CPU-second with Connection: close). The price: a
    // client that connects and sends nothing is not seen (nor counted, nor timed) for 1 s.
    std::chrono::milliseconds defer_accept{1000};
    // Event loops with several workers: one SO_REUSEPORT listener per loop instead of one
    // listener they share (EPOLLEXCLUSIVE); see docs/scaling.md for when that pays.
    bool reuseport = false;
    // uring: large files leave by sendfile, or by splice through a pipe (off the loop's thread).
    std::string uring_files = "sendfile";

    // Deadlines
    std::chrono::milliseconds header_timeout{10'000};
    std::chrono::milliseconds keepalive_timeout{15'000};
    std::chrono::milliseconds send_timeout{60'000};
    std::chrono::milliseconds shutdown_timeout{10'000};

    // Limits
    std::size_t max_head_size = 16 * 1024;
    std::size_t max_target_size = 8 * 1024;

    // Logging
    std::string access_log = "-";                // path, "-" (stdout) or "off"
    std::string access_log_format = "combined";  // common, combined or json
    std::string error_log = "-";     // path or "-" (stderr; journald's format under systemd)
    std::string log_level = "info";  // trace, debug, info, warn, error, critical, off

    // Operations
    std::string status_path;  // metrics URL path such as "/metrics"; empty: off
    std::string user;         // drop to this user after binding; empty: stay
    std::string group;        // and this group; empty: the user's primary group

    std::string config_file;  // the --config path, if any (kept for reload)

    friend bool operator==(const Config&, const Config&) = default;
};

// A [[site]] table: the names it answers to and its configuration, which is the top level's
// with the table's keys applied (its `sites` stays empty). hosts: names compared without case,
// port and trailing dot; "*.example.com" matches any name below example.com.
struct Site {
    std::vector<std::string> hosts;
    Config config;

    friend bool operator==(const Site&, const Site&) = default;
};

// Checks values that CLI11 cannot (listen address syntax, root exists and is no system
// directory, log level name, limits in range): every option's checks (option_table.cpp), in
// the option table's order; then, for each [[site]], the checks of the options a site may set,
// on its Config (its root exists and is no system directory...). The site tables themselves
// are checked when the file is read. Returns the first problem as one human-readable line
// ("'site[2].root': ..." for a site's), or nothing.
// Pure: it reads the file system (root) and NSS (user, group) but changes nothing; workers == 0
// stays 0. What depends on the server's identity or the network (addresses resolved, ports,
// log files and root reachable by --user) is server/proc/preflight.hpp's, run by main().
std::optional<std::string> validate(const Config& cfg);

// The system directory `dir` (absolute, canonical) is or lies in, such as "/" or "/etc";
// empty when it is none. A root there would publish the machine's own files.
std::string system_directory(const std::string& dir);

// A --listen value taken apart for bind(). Forms: "host:port", "[v6]:port", ":port" (all IPv4
// interfaces, host "0.0.0.0"). host has no brackets; port 0 asks the kernel for an ephemeral one.
struct ListenAddress {
    std::string host;
    std::uint16_t port = 0;
    bool v6 = false;
};
std::optional<ListenAddress> parse_listen(std::string_view text);

// A --user / --group value (a name, or a decimal ID) as a numeric ID; nothing when unknown.
// Consults NSS (passwd/group), so it may block briefly; any thread.
std::optional<unsigned> resolve_user(const std::string& name);
std::optional<unsigned> resolve_group(const std::string& name);

// The root as log lines show it: absolute, symlinks resolved ("." says nothing); as given when
// it cannot be resolved. Reads the file system; any thread.
std::string resolved_root(const std::string& root);

// workers as configured, with workers_unset replaced by the model's own default and 0 ("auto")
// by the number of cores (at least 1).
unsigned resolve_workers(unsigned workers, unsigned model_default) noexcept;

}  // namespace config
