// Preflight: the checks of a configuration that need the server's side of things, run by
// main() for --check-config and, the same function, at startup before anything is opened, so
// that nothing --check-config passes fails at startup on any of them:
//  - --listen and --tls-listen resolved (host names through the resolver) to addresses of
//    this machine, no two naming one socket, none bound on its port (--check-config also
//    runs as ExecReload beside the running server, which holds the port, so a port another
//    program holds is not detected);
//  - a port below net.ipv4.ip_unprivileged_port_start needs CAP_NET_BIND_SERVICE, unless
//    systemd passes the socket: the bind happens before --user takes effect, so this
//    process's capability is the one that counts;
//  - with --tls-listen, each --tls-cert/--tls-key pair loaded as startup loads it (the TLS
//    context built and thrown away): readable, a key matching its certificate, not expired.
//    Keys are read before privileges drop, so this runs in this process, as the invoking user;
//  - as the user the server will run as (a forked child switches identity with the code
//    startup uses, privileges.hpp): the root readable and searchable (or every request would
//    get 403), each log file appendable, or creatable in an existing directory (a reopen
//    after rotation runs as that user).
// Every problem is one line naming the option (the TLS check's: the file). Changes nothing: no file
// created, no port bound. Main thread, before any other thread exists (it forks); blocks on the
// resolver and on the child.
#pragma once

#include <cstdint>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/config.hpp"

namespace server {

// What the TLS check has to say besides a refusal: lines for startup's log (after "listening
// on") and for --check-config's output.
struct TlsReport {
    // A certificate that expires within 14 days; pairs given without --tls-listen ("unused").
    std::vector<std::string> warnings;
    // One line per pair: its certificate file and the names SNI picks it by.
    std::vector<std::string> certificates;
};

// All of the above, in that order; the first problem, or nothing. `tls` receives the TLS
// check's report (cleared first).
std::optional<std::string> preflight(const config::Config& cfg, bool socket_activated,
                                     TlsReport& tls);
// The same, the report dropped.
std::optional<std::string> preflight(const config::Config& cfg, bool socket_activated);

// The TLS check alone, as of `now` (for the expiry tests); startup, --check-config and a
// reload (which keeps the previous certificates when it refuses) run it. The problem is the
// TLS layer's one line naming the file ("tls: FILE: why"). Appends to `report`. Any thread;
// blocks on reading the files.
std::optional<std::string> check_tls(const config::Config& cfg, TlsReport& report,
                                     std::time_t now = std::time(nullptr));

// The parts, for the tests.
// The port rule for this process: nothing when `port` is 0, unprivileged or bindable here.
// `flag` names the option in the message.
std::optional<std::string> check_port_privilege(std::uint16_t port,
                                                std::string_view flag = "--listen");
// The root and log checks as this process is now (what preflight's child runs after the switch).
std::optional<std::string> check_reachable(const config::Config& cfg);
// check_reachable in a forked child that has switched to --user/--group first.
std::optional<std::string> check_as_server_user(const config::Config& cfg);

}  // namespace server
