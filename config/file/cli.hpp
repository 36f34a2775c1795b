// Command-line binding (CLI11) and the --config file (TOML, toml_file.hpp), one path for both.
// Called from main() at startup and from the control thread on each reload. It never prints and
// never exits: main() acts on the result (print message to stdout for exit_ok / list_models, to
// stderr for exit_error, then exit 0 / 0 / 2). A serve or check_config result holds a Config that
// has already passed validate() and the model-name check; what needs the server's side (addresses
// resolved, the identity of --user) is left to main(), which runs the same preflight for both
// (config/ cannot reach server/).
#pragma once

#include <string>
#include <vector>

#include "config/config.hpp"

namespace config {

// check_config: --check-config with a valid Config; main() runs the preflight, then prints
// message ("configuration OK") and exits 0, or the preflight's line and exits 2.
enum class Action { serve, check_config, list_models, exit_ok, exit_error };

struct ParseResult {
    Action action = Action::serve;
    Config cfg;
    std::string message;  // exit_error: one line; exit_ok: help or version; check_config:
                          // "configuration OK"; list_models: the names, one per line; serve: empty
};

// model_names feeds --model's validation and --help; it comes from models/registry.
ParseResult parse_command_line(int argc, const char* const* argv,
                               const std::vector<std::string>& model_names);

}  // namespace config
