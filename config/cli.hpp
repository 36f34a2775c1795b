// Command-line and config-file binding (CLI11). Called once from main() at startup; may
// exit the process for --help and --version like any CLI tool.
#pragma once

#include <string>
#include <vector>

#include "config.hpp"

namespace config {

enum class Action { serve, list_models, exit_ok, exit_error };

struct ParseResult {
    Action action = Action::serve;
    Config cfg;
    std::string message;  // error line (exit_error) or help/version text (exit_ok)
};

// model_names feeds --model's validation and --help; it comes from models/registry.
ParseResult parse_command_line(int argc, const char* const* argv,
                               const std::vector<std::string>& model_names);

}  // namespace config
