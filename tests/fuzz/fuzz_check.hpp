// The fuzz harness's assertion: an invariant that does not hold aborts the process, which is
// what libFuzzer (and the replay driver's ctest run) reports as a finding. Not a test
// framework on purpose: the harness must build with clang's libFuzzer and with plain g++.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <string_view>

namespace fuzz {

[[noreturn]] inline void violated(std::string_view invariant, std::string_view detail = {}) {
    std::fprintf(stderr, "fuzz invariant violated: %.*s\n", static_cast<int>(invariant.size()),
                 invariant.data());
    if (!detail.empty()) {
        // Enough context to see the offending bytes without flooding the log.
        const std::string_view shown = detail.substr(0, 600);
        std::fprintf(stderr, "context: %.*s%s\n", static_cast<int>(shown.size()), shown.data(),
                     detail.size() > shown.size() ? "..." : "");
    }
    std::abort();
}

inline void require(bool ok, std::string_view invariant, std::string_view detail = {}) {
    if (!ok) violated(invariant, detail);
}

}  // namespace fuzz
