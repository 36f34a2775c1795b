// Error-log set-up (spdlog). init_logging() runs once on the main thread at startup; after
// that spdlog's default logger is thread-safe and every layer but http/ logs through it.
#pragma once

#include <string>

namespace server {

// Level names as spdlog spells them ("info", "warn", ...). Lines go to stderr.
void init_logging(const std::string& level);

}  // namespace server
