// The model registry: the only list of concurrency models (like lighttpd's event-handler
// table). main() looks models up here by name (--model, --list-models); models never see each
// other. The descriptors are constants, initialised before main(): any thread, nothing blocks.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/runtime/model.hpp"

namespace models {

// In registry order (the order --list-models prints).
std::span<const server::Model* const> all_models() noexcept;
std::vector<std::string> model_names();

// nullptr when no model has that name.
const server::Model* find_model(std::string_view name) noexcept;

}  // namespace models
