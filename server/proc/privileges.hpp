// Dropping root (--user / --group). Called once on the main thread after the socket is bound
// and the log files are open (both may need root), and before any other thread or process
// exists; and in preflight's forked child, which checks what that identity can reach. Supplementary
// groups are cleared, then the group and the user are set (real, effective and saved), and the
// result is verified, including that root cannot be regained.
#pragma once

#include <string>

namespace server {

// Nothing to do when both are empty. Throws std::runtime_error (naming the step) when a
// requested switch cannot be made or verified: serving with more privilege than asked for is
// never an option.
void drop_privileges(const std::string& user, const std::string& group);

// The same switch without the log line; true when the identity changed. preflight.hpp's
// child runs it so that its checks see exactly what the server will be.
bool switch_identity(const std::string& user, const std::string& group);

// Logs a warning when the process still runs as root.
void warn_if_root();

}  // namespace server
