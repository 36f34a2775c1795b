// The process's Shutdown with its pipe in place, for tests that spawn children through
// server::Children: a child's private stop replaces the pipe's read end, so one must exist.
// Never request() it in a test: the flag and the pipe would stop every later test of the
// process. A child is stopped with SIGTERM instead (children.hpp).
#pragma once

#include "server/sys/shutdown.hpp"

namespace test {

inline const server::Shutdown& installed_stop() {
    static const bool once = (server::Shutdown::instance().install(), true);
    (void)once;
    return server::Shutdown::instance();
}

}  // namespace test
