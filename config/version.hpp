// The one place the program version lives: --version prints it, the Server header may use it.
// Keep in step with project(VERSION) in the top-level CMakeLists.txt.
#pragma once

#include <string_view>

namespace config {

inline constexpr std::string_view version = "0.1.0";
inline constexpr std::string_view version_line = "polyhttpd 0.1.0";

}  // namespace config
