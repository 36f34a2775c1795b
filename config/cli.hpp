// Command-line and config-file binding (CLI11). Called once from main() at startup, single
// threaded. It never prints and never exits: main() acts on the result (print message to
// stdout for exit_ok / list_models, to stderr for exit_error, then exit 0 / 0 / 2).
// A serve result holds a Config that has already passed validate() and the model-name check.
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace config {

enum class Action { serve, list_models, exit_ok, exit_error };

struct ParseResult {
    Action action = Action::serve;
    Config cfg;
    std::string message;  // exit_error: one line; exit_ok: help, version or "configuration OK";
                          // list_models: the names, one per line; serve: empty
};

// model_names feeds --model's validation and --help; it comes from models/registry.
ParseResult parse_command_line(int argc, const char* const* argv,
                               const std::vector<std::string>& model_names);

}  // namespace config
