#include "server/proc/systemd.hpp"

#include <fcntl.h>
#include <sys/socket.h>
#include <time.h>

#include <cstring>
#include <stdexcept>
#include <string>

#include <spdlog/spdlog.h>
#include <systemd/sd-daemon.h>

namespace server::systemd {
namespace {

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

int take_listen_fd() {
    const int n = sd_listen_fds(1);
    if (n < 0) throw std::runtime_error(std::string("sd_listen_fds: ") + std::strerror(-n));
    if (n == 0) return -1;
    const int fd = SD_LISTEN_FDS_START;
    if (sd_is_socket(fd, AF_UNSPEC, SOCK_STREAM, 1) <= 0)
        throw std::runtime_error(
            "socket activation: descriptor 3 is not a listening stream "
            "socket (use ListenStream= in the .socket unit)");
    if (n > 1) spdlog::warn("socket activation passed {} sockets; serving only the first", n);
    // systemd hands sockets over without CLOEXEC; nothing we exec should inherit them.
    ::fcntl(fd, F_SETFD, FD_CLOEXEC);
    return fd;
}

bool socket_passed() noexcept { return sd_listen_fds(0) > 0; }

std::optional<std::string> listen_mismatch(const Listener& passed, const std::string& configured) {
    const ResolvedListen resolved = resolve_listen(configured);
    if (listens_as_configured(passed.local_address(), resolved)) return std::nullopt;
    return "socket activation: serving " + passed.local_address() +
           ", the socket systemd passed, not --listen " + configured +
           " (make ListenStream= in the .socket unit and listen agree)";
}

void warn_if_listen_differs(const Listener& passed, const std::string& configured) {
    if (auto line = listen_mismatch(passed, configured)) spdlog::warn("{}", *line);
}

}  // namespace server::systemd
