#include "logging.hpp"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace server {

void init_logging(const std::string& level) {
    auto logger = spdlog::stderr_logger_mt("polyhttpd");
    logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e%z [%l] [%P] %v");
    logger->set_level(spdlog::level::from_str(level));
    logger->flush_on(spdlog::level::info);
    spdlog::set_default_logger(std::move(logger));
}

}  // namespace server
