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

#include "config/config.hpp"
#include "server/sys/listener_set.hpp"

namespace server::systemd {

void notify_ready(std::string_view status);  // READY=1 + STATUS=
void notify_reloading();                     // RELOADING=1 + MONOTONIC_USEC (systemd >= 253)
void notify_status(std::string_view status);
void notify_stopping();
void notify_watchdog();

// Half of WatchdogSec (how often to ping), or zero when the watchdog is off.
std::chrono::microseconds watchdog_interval() noexcept;

// What a passed socket serves, from its FileDescriptorName=: "https" (the shipped
// polyhttpd-https.socket) or "tls" is TLS, every other name (systemd's default is the socket
// unit's name) plain HTTP. Exact and case-sensitive, as systemd passes names unchanged.
ListenerKind kind_of_name(std::string_view name) noexcept;

// The listening sockets passed by socket activation, in systemd's order (the sockets of each
// unit in the order of its Listen*= lines), each with its FileDescriptorName= (Listener::name)
// and the kind that name gives it (kind_of_name). Logs one line saying what each socket
// serves. Empty when none were passed. It unsets $LISTEN_FDS/$LISTEN_PID/$LISTEN_FDNAMES so
// children never claim them. Throws std::runtime_error when a descriptor is not a listening
// stream socket. Main thread, before any thread.
ListenerSet take_listeners();

// "127.0.0.1:8080 (http: plain HTTP), 127.0.0.1:8443 (https: HTTPS)": each passed socket with its
// name and what it serves, for the line take_listeners logs.
std::string describe_passed(const ListenerSet& passed);

// The line refusing startup when systemd passed a TLS socket but the configuration has no
// certificate and key (--tls-cert/--tls-key) to serve it with, or nothing. main.cpp calls it
// right after take_listeners, before anything is served.
std::optional<std::string> tls_without_certificate(const ListenerSet& passed,
                                                   const config::Config& cfg);

// Whether systemd passed this process a socket, without taking it (preflight runs before
// take_listeners and skips the port check then). Main thread.
bool socket_passed() noexcept;

// With socket activation the configured addresses are not bound. This is the line warning
// that none of `configured` (--listen for a plain socket, --tls-listen for a TLS one) names
// the socket systemd passed (naming both), or nothing when one does. It resolves the names
// (it may block).
std::optional<std::string> listen_mismatch(const Listener& passed,
                                           const std::vector<std::string>& configured);
// The line warning that a configured address (--listen when `kind` is plain, --tls-listen
// when TLS) names none of the passed sockets of that kind (so it is not served as asked), or
// nothing.
std::optional<std::string> listen_unserved(const ListenerSet& passed, const std::string& configured,
                                           ListenerKind kind = ListenerKind::plain);
// Logs every such line, both ways: plain sockets against --listen, TLS sockets against
// --tls-listen (not when --tls-listen is empty: under activation the https socket is how TLS
// is asked for, and the address is the socket unit's business).
void warn_if_listen_differs(const ListenerSet& passed, const config::Config& cfg);

}  // namespace server::systemd
