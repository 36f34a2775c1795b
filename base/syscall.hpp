// The one place EINTR is retried (DESIGN.md house rule). Header-only; any thread.
#pragma once

#include <cerrno>
#include <utility>

namespace poly {

// Calls f() until it does not fail with EINTR; returns its last result.
template <typename F>
auto retry_eintr(F&& f) -> decltype(f()) {
    for (;;) {
        auto r = f();
        if (r != -1 || errno != EINTR) return r;
    }
}

}  // namespace poly
