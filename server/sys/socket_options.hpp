// Options set on an accepted socket. Any thread; never blocks.
#pragma once

namespace server {

// TCP_NODELAY: responses are written whole, so Nagle's algorithm only delays them. When to
// call it is the connection's policy (server/conn/conn_state.hpp: before the second write).
void set_nodelay(int fd) noexcept;

}  // namespace server
