// systemd integration through libsystemd's sd-daemon API. Every function is a no-op when the
// server was not started by systemd (no $NOTIFY_SOCKET / $LISTEN_FDS / $WATCHDOG_USEC), so
// the same binary runs anywhere. Notifications come from the master process only (the unit
// keeps the default NotifyAccess=main); the control thread sends all but the first READY=1.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/sys/listener_set.hpp"

namespace server::systemd {

void notify_ready(std::string_view status);  // READY=1 + STATUS=
void notify_reloading();                     // RELOADING=1 + MONOTONIC_USEC (systemd >= 253)
void notify_status(std::string_view status);
void notify_stopping();
void notify_watchdog();

// Half of WatchdogSec (how often to ping), or zero when the watchdog is off.
std::chrono::microseconds watchdog_interval() noexcept;

// The listening sockets passed by socket activation, in systemd's order (the order of the
// Listen*= lines), each with its FileDescriptorName= (Listener::name(); by convention "http"
// for plain and "https" for TLS sockets, read by the TLS listeners of issue 15; systemd names
// an unnamed one after its socket unit). All are plain today. Empty when none were passed.
// It unsets $LISTEN_FDS/$LISTEN_PID/$LISTEN_FDNAMES so children never claim them. Throws
// std::runtime_error when a descriptor is not a listening stream socket. Main thread, before
// any thread.
ListenerSet take_listeners();

// Whether systemd passed this process a socket, without taking it (preflight runs before
// take_listeners and skips the port check then). Main thread.
bool socket_passed() noexcept;

// With socket activation the configured --listen addresses are not bound: this is the line
// warning that none of `configured` names a socket systemd passed (naming both), or nothing
// when one does. It resolves the names (it may block).
std::optional<std::string> listen_mismatch(const Listener& passed,
                                           const std::vector<std::string>& configured);
// The line warning that a --listen address names none of the passed sockets (so it is not
// served), or nothing.
std::optional<std::string> listen_unserved(const ListenerSet& passed,
                                           const std::string& configured);
// Logs every such line, both ways.
void warn_if_listen_differs(const ListenerSet& passed, const std::vector<std::string>& configured);

}  // namespace server::systemd
