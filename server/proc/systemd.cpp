#include "server/proc/systemd.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>

#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

#include "config/options.hpp"

namespace server::systemd {
namespace {

// The option that names addresses of this kind.
std::string flag_of(ListenerKind kind) {
    return kind == ListenerKind::tls ? "--tls-listen" : "--listen";
}

const char* what_it_serves(ListenerKind kind) {
    return kind == ListenerKind::tls ? "HTTPS" : "plain HTTP";
}

void notify(const std::string& state) {
    const int r = sd_notify(0, state.c_str());
    if (r < 0) spdlog::debug("sd_notify: {}", std::strerror(-r));
}

}  // namespace

void notify_ready(std::string_view status) { notify("READY=1\nSTATUS=" + std::string(status)); }

void notify_reloading() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    const auto usec = static_cast<unsigned long long>(ts.tv_sec) * 1'000'000ULL +
                      static_cast<unsigned long long>(ts.tv_nsec) / 1'000ULL;
    notify("RELOADING=1\nSTATUS=reloading\nMONOTONIC_USEC=" + std::to_string(usec));
}

void notify_status(std::string_view status) { notify("STATUS=" + std::string(status)); }

void notify_stopping() { notify("STOPPING=1\nSTATUS=stopping"); }

void notify_watchdog() { notify("WATCHDOG=1"); }

std::chrono::microseconds watchdog_interval() noexcept {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0) return std::chrono::microseconds{0};
    return std::chrono::microseconds{usec / 2};
}

ListenerKind kind_of_name(std::string_view name) noexcept {
    return name == "https" || name == "tls" ? ListenerKind::tls : ListenerKind::plain;
}

ListenerSet take_listeners() {
    char** names = nullptr;
    const int n = sd_listen_fds_with_names(1, &names);
    if (n < 0) throw std::runtime_error(std::string("sd_listen_fds: ") + std::strerror(-n));
    // The names array is malloc'ed by libsystemd, each string too.
    const std::unique_ptr<char*, decltype(&std::free)> list(names, &std::free);
    std::vector<std::string> fd_names;
    for (int i = 0; names != nullptr && i < n; ++i) {
        fd_names.emplace_back(names[i] != nullptr ? names[i] : "");
        std::free(names[i]);
    }
    ListenerSet set;
    for (int i = 0; i < n; ++i) {
        const int fd = SD_LISTEN_FDS_START + i;
        if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0)
            throw std::runtime_error("socket activation: descriptor " + std::to_string(fd) +
                                     " is not a listening stream socket (use ListenStream= in "
                                     "the .socket unit)");
        // systemd hands sockets over without CLOEXEC; nothing we exec should inherit them.
        ::fcntl(fd, F_SETFD, FD_CLOEXEC);
        std::string name = i < static_cast<int>(fd_names.size()) ? fd_names[i] : "";
        const ListenerKind kind = kind_of_name(name);
        set.add(Listener::adopt(fd, std::move(name), kind));
    }
    if (!set.empty()) spdlog::info("systemd passed {}", describe_passed(set));
    return set;
}

std::string describe_passed(const ListenerSet& passed) {
    std::string out;
    for (const Listener& l : passed) {
        out += (out.empty() ? "" : ", ") + l.local_address() + " (" +
               (l.name().empty() ? "unnamed" : l.name()) + ": " + what_it_serves(l.kind()) + ")";
    }
    return out;
}

std::optional<std::string> tls_without_certificate(const ListenerSet& passed,
                                                   const config::Config& cfg) {
    if (!cfg.tls_cert.empty() && !cfg.tls_key.empty()) return std::nullopt;
    for (const Listener& l : passed) {
        if (l.kind() == ListenerKind::tls)
            return "socket activation: systemd passed the TLS socket \"" + l.name() + "\" (" +
                   l.local_address() +
                   ") but no certificate is configured: give tls-cert and tls-key (or "
                   "--tls-cert and --tls-key), or drop FileDescriptorName=" +
                   l.name();
    }
    return std::nullopt;
}

bool socket_passed() noexcept { return sd_listen_fds(0) > 0; }

std::optional<std::string> listen_mismatch(const Listener& passed,
                                           const std::vector<std::string>& configured) {
    for (const std::string& address : configured) {
        if (listens_as_configured(passed.local_address(), resolve_listen(address)))
            return std::nullopt;
    }
    const bool tls = passed.kind() == ListenerKind::tls;
    return "socket activation: serving " + passed.local_address() +
           ", the socket systemd passed, not " + flag_of(passed.kind()) + " " +
           config::join(configured, ", ") + " (make ListenStream= in the " +
           (tls ? "https .socket unit and tls-listen" : ".socket unit and listen") + " agree)";
}

std::optional<std::string> listen_unserved(const ListenerSet& passed, const std::string& configured,
                                           ListenerKind kind) {
    const ResolvedListen resolved = resolve_listen(configured);
    const Listener* other = nullptr;  // a socket on the address, but of the other kind
    for (const Listener& l : passed) {
        if (!listens_as_configured(l.local_address(), resolved)) continue;
        if (l.kind() == kind) return std::nullopt;
        other = &l;
    }
    const std::string head =
        "socket activation: " + flag_of(kind) + " " + configured + " is not served";
    if (other != nullptr)
        return head + " as " + what_it_serves(kind) + ": systemd's socket on it is named \"" +
               other->name() + "\", so it serves " + what_it_serves(other->kind()) +
               " (FileDescriptorName=https makes a socket TLS, any other name plain)";
    if (kind == ListenerKind::tls)
        return head +
               ": systemd passed no https socket on it (add a ListenStream= to the "
               ".socket unit with FileDescriptorName=https)";
    return head + ": systemd passed no socket on it (add a ListenStream= to the .socket unit)";
}

void warn_if_listen_differs(const ListenerSet& passed, const config::Config& cfg) {
    for (const Listener& l : passed) {
        const bool tls = l.kind() == ListenerKind::tls;
        if (tls && cfg.tls_listen.empty()) continue;
        if (auto line = listen_mismatch(l, tls ? cfg.tls_listen : cfg.listen))
            spdlog::warn("{}", *line);
    }
    for (const std::string& address : cfg.listen) {
        if (auto line = listen_unserved(passed, address)) spdlog::warn("{}", *line);
    }
    for (const std::string& address : cfg.tls_listen) {
        if (auto line = listen_unserved(passed, address, ListenerKind::tls))
            spdlog::warn("{}", *line);
    }
}

}  // namespace server::systemd
