#include "server/proc/preflight.hpp"

#include <fcntl.h>
#include <linux/capability.h>
#include <netinet/in.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>
#include <exception>
#include <filesystem>
#include <fstream>
#include <utility>
#include <vector>

#include "base/syscall.hpp"
#include "base/unique_fd.hpp"
#include "server/proc/privileges.hpp"
#include "server/runtime/context.hpp"
#include "server/sys/listener.hpp"
#include "server/tls/tls_context.hpp"

namespace server {
namespace {

// The kernel's default when the sysctl cannot be read (before Linux 4.11 it was fixed).
constexpr unsigned default_unprivileged_port_start = 1024;

unsigned unprivileged_port_start() {
    std::ifstream in("/proc/sys/net/ipv4/ip_unprivileged_port_start");
    unsigned start = default_unprivileged_port_start;
    if (!(in >> start)) start = default_unprivileged_port_start;
    return start;
}

// capget directly: libcap is not a dependency, and one bit is all we need.
bool can_bind_privileged_ports() {
    __user_cap_header_struct header{_LINUX_CAPABILITY_VERSION_3, 0};
    std::array<__user_cap_data_struct, _LINUX_CAPABILITY_U32S_3> data{};
    if (::syscall(SYS_capget, &header, data.data()) != 0) return ::geteuid() == 0;
    return (data[0].effective & (1U << CAP_NET_BIND_SERVICE)) != 0;
}

// "uid 65534 (nobody)": the identity the checks ran as, for the message.
std::string identity() {
    const uid_t uid = ::geteuid();
    std::string out = "uid " + std::to_string(uid);
    passwd pw{};
    passwd* found = nullptr;
    std::array<char, 16384> buf{};
    if (::getpwuid_r(uid, &pw, buf.data(), buf.size(), &found) == 0 && found)
        out += std::string(" (") + pw.pw_name + ")";
    return out;
}

// faccessat with AT_EACCESS: the effective IDs decide, as they will for open().
bool allowed(const std::string& path, int mode) {
    return ::faccessat(AT_FDCWD, path.c_str(), mode, AT_EACCESS) == 0;
}

std::string failure(const std::string& what) {
    return what + " by " + identity() + ": " + std::strerror(errno);
}

// A log file: appendable when it exists, else creatable in a directory that exists. "-" and
// "off" are no files.
std::optional<std::string> check_log(std::string_view flag, const std::string& path) {
    if (path == "-" || path == "off") return std::nullopt;
    const std::string name = std::string(flag) + ": ";
    struct stat st {};
    if (::stat(path.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) return name + "'" + path + "' is a directory";
        if (allowed(path, W_OK)) return std::nullopt;
        return name + failure("'" + path + "' cannot be appended to");
    }
    if (errno != ENOENT) return name + failure("'" + path + "' cannot be reached");
    std::string dir = std::filesystem::path(path).parent_path().string();
    if (dir.empty()) dir = ".";
    if (::stat(dir.c_str(), &st) != 0) {
        if (errno == ENOENT) return name + "directory '" + dir + "' does not exist";
        return name + failure("directory '" + dir + "' cannot be reached");
    }
    if (!S_ISDIR(st.st_mode)) return name + "'" + dir + "' is not a directory";
    if (allowed(dir, W_OK | X_OK)) return std::nullopt;
    return name + failure("'" + path + "' cannot be created in '" + dir + "'");
}

void write_all(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t n =
            poly::retry_eintr([&] { return ::write(fd, text.data() + done, text.size() - done); });
        if (n <= 0) return;
        done += static_cast<std::size_t>(n);
    }
}

std::string read_all(int fd) {
    std::string out;
    std::array<char, 1024> buf{};
    for (;;) {
        const ssize_t n = poly::retry_eintr([&] { return ::read(fd, buf.data(), buf.size()); });
        if (n <= 0) return out;
        out.append(buf.data(), static_cast<std::size_t>(n));
    }
}

// Whether this machine has one of the addresses, by binding a socket to it on port 0 (an
// ephemeral port, never the configured one, which the running server may hold): bind() then
// fails only for an address that is not here, as startup's would.
std::optional<std::string> check_local(std::string_view flag, const std::string& listen,
                                       const ResolvedListen& r) {
    int first_errno = 0;
    for (Endpoint e : r.all) {
        if (e.addr.ss_family == AF_INET6)
            reinterpret_cast<sockaddr_in6*>(&e.addr)->sin6_port = 0;
        else
            reinterpret_cast<sockaddr_in*>(&e.addr)->sin_port = 0;
        const poly::UniqueFd fd(::socket(e.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
        if (fd && ::bind(fd.get(), reinterpret_cast<const sockaddr*>(&e.addr), e.len) == 0)
            return std::nullopt;
        if (first_errno == 0) first_errno = errno;
    }
    return std::string(flag) + ": '" + listen +
           "' is not an address of this machine: " + std::strerror(first_errno);
}

using Resolved = std::vector<std::pair<std::string, ResolvedListen>>;

// Two --listen or --tls-listen values that name one address ("localhost:80" and
// "127.0.0.1:80") would fail the second bind at startup: refuse them here. Port 0 is fresh
// each time, never the same.
std::optional<std::string> check_distinct(std::string_view flag, const std::string& address,
                                          const ResolvedListen& r, const Resolved& seen) {
    for (const Endpoint& e : r.all) {
        const std::string a = format_address(&e.addr);
        if (a.ends_with(":0")) continue;
        for (const auto& [earlier, resolved] : seen) {
            for (const Endpoint& other : resolved.all) {
                if (format_address(&other.addr) == a)
                    return std::string(flag) + ": '" + address + "' and '" + earlier +
                           "' both name " + a;
            }
        }
    }
    return std::nullopt;
}

// A pair loaded as TlsContext loads it, for its names: "tls: FILE for a.example, b.example".
std::string describe(const tls::CertKeyFiles& files, std::time_t now,
                     std::vector<std::string>& warnings, bool the_default) {
    const tls::CertPair pair = tls::load_cert_pair(files, now, warnings);
    std::string names;
    for (const std::string& name : pair.names) names += (names.empty() ? "" : ", ") + name;
    return "tls: " + files.cert_file + " for " + (names.empty() ? "no DNS name" : names) +
           (the_default ? " (the default)" : "");
}

// The forked child: switch as startup will, check, report the problem (or nothing) on `fd`.
[[noreturn]] void run_child(const config::Config& cfg, int fd) {
    std::string problem;
    try {
        switch_identity(cfg.user, cfg.group);
        if (auto err = check_reachable(cfg)) problem = *err;
    } catch (const std::exception& e) {
        problem = e.what();
    }
    write_all(fd, problem);
    ::_exit(0);  // not exit(): the parent's atexit handlers and buffers are not ours to run
}

}  // namespace

std::optional<std::string> check_port_privilege(std::uint16_t port, std::string_view flag) {
    const unsigned start = unprivileged_port_start();
    if (port == 0 || port >= start || can_bind_privileged_ports()) return std::nullopt;
    return std::string(flag) + ": port " + std::to_string(port) + " is below " +
           std::to_string(start) + " (net.ipv4.ip_unprivileged_port_start) and " + identity() +
           " lacks CAP_NET_BIND_SERVICE (start as root, grant the capability, or let systemd "
           "pass the socket)";
}

std::optional<std::string> check_reachable(const config::Config& cfg) {
    // Search (x) to open anything beneath the root, read (r) to list it; the root itself is
    // opened O_PATH, which needs neither, so without this check every request would get 403.
    if (!allowed(cfg.root, R_OK | X_OK))
        return "--root: " + failure("'" + cfg.root + "' cannot be read and searched");
    for (std::size_t i = 0; i < cfg.sites.size(); ++i) {
        const std::string& root = cfg.sites[i].config.root;
        if (!allowed(root, R_OK | X_OK))
            return "site[" + std::to_string(i + 1) +
                   "].root: " + failure("'" + root + "' cannot be read and searched");
    }
    if (auto err = check_log("--access-log", cfg.access_log)) return err;
    return check_log("--error-log", cfg.error_log);
}

std::optional<std::string> check_as_server_user(const config::Config& cfg) {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0)
        return std::string("preflight: pipe: ") + std::strerror(errno);
    poly::UniqueFd from_child(fds[0]);
    poly::UniqueFd to_parent(fds[1]);
    const pid_t pid = ::fork();
    if (pid < 0) return std::string("preflight: fork: ") + std::strerror(errno);
    if (pid == 0) run_child(cfg, to_parent.get());
    to_parent.reset();  // so that read_all sees EOF when the child is gone
    std::string problem = read_all(from_child.get());
    int status = 0;
    poly::retry_eintr([&] { return ::waitpid(pid, &status, 0); });
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        return "preflight: the check as --user '" + cfg.user + "' ended abnormally";
    if (problem.empty()) return std::nullopt;
    return problem;
}

std::optional<std::string> check_tls(const config::Config& cfg, TlsReport& report,
                                     std::time_t now) {
    // The rule startup builds its TLS context by (a key without a certificate is refused
    // by validation already).
    if (!wants_tls(cfg)) return std::nullopt;
    const std::vector<tls::CertKeyFiles> pairs = cert_key_files(cfg);
    try {
        for (std::size_t i = 0; i < pairs.size(); ++i)
            report.certificates.push_back(
                describe(pairs[i], now, report.warnings, i == 0 && pairs.size() > 1));
        // The context as startup builds it: OpenSSL may refuse what loads (a key too weak for
        // its security level). Its own ticket keys: the run's store is not made here.
        const tls::TlsContext context(pairs, std::make_shared<tls::LocalTicketKeys>(), now);
    } catch (const std::exception& e) {
        return e.what();
    }
    return std::nullopt;
}

std::optional<std::string> preflight(const config::Config& cfg, bool socket_activated,
                                     TlsReport& tls) {
    tls = {};
    Resolved seen;
    for (const auto& [flag, addresses] :
         {std::pair{"--listen", &cfg.listen}, std::pair{"--tls-listen", &cfg.tls_listen}}) {
        for (const std::string& address : *addresses) {
            ResolvedListen listen = resolve_listen(address);
            if (listen.all.empty()) return listen.error;
            if (auto err = check_local(flag, address, listen)) return err;
            if (auto err = check_distinct(flag, address, listen, seen)) return err;
            seen.emplace_back(address, std::move(listen));
            const auto la = config::parse_listen(address);
            if (!socket_activated && la) {
                if (auto err = check_port_privilege(la->port, flag)) return err;
            }
        }
    }
    if (auto err = check_tls(cfg, tls)) return err;
    // An unused pair harms nothing, but was likely meant to serve: a socket from systemd
    // named "https" would use it, so only a run without one hears of it.
    if (!socket_activated && cfg.tls_listen.empty() && !cfg.tls_cert.empty())
        tls.warnings.push_back("--tls-cert and --tls-key are unused: no --tls-listen");
    return check_as_server_user(cfg);
}

std::optional<std::string> preflight(const config::Config& cfg, bool socket_activated) {
    TlsReport dropped;
    return preflight(cfg, socket_activated, dropped);
}

}  // namespace server
