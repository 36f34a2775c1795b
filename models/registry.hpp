// The model registry: the only list of concurrency models (like lighttpd's event-handler
// table). main() and the tests look models up here by name; models never see each other.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/runtime/model.hpp"

namespace models {

// In registry order (the order --list-models prints).
std::vector<std::unique_ptr<server::Model>> all_models();
std::vector<std::string> model_names();

// nullptr when no model has that name.
std::unique_ptr<server::Model> make_model(std::string_view name);

}  // namespace models
