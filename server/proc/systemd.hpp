// systemd integration through libsystemd's sd-daemon API. Every function is a no-op when the
// server was not started by systemd (no $NOTIFY_SOCKET / $LISTEN_FDS / $WATCHDOG_USEC), so
// the same binary runs anywhere. Notifications come from the master process only (the unit
// keeps the default NotifyAccess=main); the control thread sends all but the first READY=1.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "server/sys/listener.hpp"

namespace server::systemd {

void notify_ready(std::string_view status);  // READY=1 + STATUS=
void notify_reloading();                     // RELOADING=1 + MONOTONIC_USEC (systemd >= 253)
void notify_status(std::string_view status);
void notify_stopping();
void notify_watchdog();

// Half of WatchdogSec (how often to ping), or zero when the watchdog is off.
std::chrono::microseconds watchdog_interval() noexcept;

// The listening socket passed by socket activation, or -1 when there is none. It unsets
// $LISTEN_FDS/$LISTEN_PID so children never claim it. Throws std::runtime_error when systemd
// passed something that is not a listening stream socket. Main thread, before any thread.
int take_listen_fd();

// Whether systemd passed this process a socket, without taking it (preflight runs before
// take_listen_fd and skips the port check then). Main thread.
bool socket_passed() noexcept;

// With socket activation the configured --listen is not bound: this is the line warning that
// `configured` does not name the socket systemd passed (naming both), or nothing when it
// does. listen_mismatch resolves the name (it may block); warn_if_listen_differs logs it.
std::optional<std::string> listen_mismatch(const Listener& passed, const std::string& configured);
void warn_if_listen_differs(const Listener& passed, const std::string& configured);

}  // namespace server::systemd
