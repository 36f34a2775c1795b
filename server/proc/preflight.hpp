// Preflight: the checks of a configuration that need the server's side of things, run by
// main() for --check-config and, the same function, at startup before anything is opened, so
// that nothing --check-config passes fails at startup on any of them:
//  - --listen resolved (host names through the resolver) to an address of this machine,
//    never bound on its port: --check-config also runs as ExecReload beside the running
//    server, which holds the port (so a port another program holds is not detected);
//  - a port below net.ipv4.ip_unprivileged_port_start needs CAP_NET_BIND_SERVICE, unless
//    systemd passes the socket: the bind happens before --user takes effect, so this
//    process's capability is the one that counts;
//  - as the user the server will run as (a forked child switches identity with the code
//    startup uses, privileges.hpp): the root readable and searchable (or every request would
//    get 403), each log file appendable, or creatable in an existing directory (a reopen
//    after rotation runs as that user).
// Every problem is one line naming the option. Changes nothing: no file created, no port
// bound. Main thread, before any other thread exists (it forks); blocks on the resolver and on
// the child.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "config/config.hpp"

namespace server {

// All of the above, in that order; the first problem, or nothing.
std::optional<std::string> preflight(const config::Config& cfg, bool socket_activated);

// The parts, for the tests.
// The port rule for this process: nothing when `port` is 0, unprivileged or bindable here.
std::optional<std::string> check_port_privilege(std::uint16_t port);
// The root and log checks as this process is now (what preflight's child runs after the switch).
std::optional<std::string> check_reachable(const config::Config& cfg);
// check_reachable in a forked child that has switched to --user/--group first.
std::optional<std::string> check_as_server_user(const config::Config& cfg);

}  // namespace server
