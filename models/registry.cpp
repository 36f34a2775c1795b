#include "models/registry.hpp"

#include <algorithm>

namespace models {

// Each model file defines exactly one descriptor; this table is the only place that names them.
extern const server::Model loop_model;
extern const server::Model fork_model;
extern const server::Model thread_model;
extern const server::Model prefork_model;
extern const server::Model select_model;
extern const server::Model poll_model;
extern const server::Model epoll_lt_model;
extern const server::Model epoll_et_model;
extern const server::Model coroutine_model;
extern const server::Model uring_model;

namespace {

constexpr const server::Model* table[] = {
    &loop_model, &fork_model,     &thread_model,   &prefork_model,   &select_model,
    &poll_model, &epoll_lt_model, &epoll_et_model, &coroutine_model, &uring_model,
};

}  // namespace

std::span<const server::Model* const> all_models() noexcept { return table; }

std::vector<std::string> model_names() {
    std::vector<std::string> out;
    for (const server::Model* m : table) out.emplace_back(m->name());
    return out;
}

const server::Model* find_model(std::string_view name) noexcept {
    const auto it = std::find_if(std::begin(table), std::end(table),
                                 [&](const server::Model* m) { return m->name() == name; });
    return it != std::end(table) ? *it : nullptr;
}

}  // namespace models
