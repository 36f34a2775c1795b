// For the uring tests: whether io_uring can be used here. Where it cannot (old kernel, sysctl,
// seccomp; or POLYHTTPD_URING_UNAVAILABLE set) a test passes with a warning that gives the
// reason, the way the model itself refuses to start. Call from a test case's thread.
#pragma once

#include <string>

#include <catch2/catch.hpp>

#include "models/uring/uring_probe.hpp"

namespace test {

inline bool uring_usable() {
    const std::string& why = server::uring_unavailable_reason();
    if (why.empty()) return true;
    WARN("skipped: io_uring unavailable here: " << why);
    SUCCEED();
    return false;
}

}  // namespace test
