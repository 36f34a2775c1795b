// The plural ending for a count in a log line ("1 request", "2 requests"). Pure, any thread.
#pragma once

#include <cstdint>

namespace poly {

constexpr const char* plural(std::uint64_t n) noexcept { return n == 1 ? "" : "s"; }

}  // namespace poly
