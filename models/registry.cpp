#include "models/registry.hpp"

namespace models {

// Each model file defines exactly one factory; this table is the only place that names them.
std::unique_ptr<server::Model> make_loop();
std::unique_ptr<server::Model> make_fork();
std::unique_ptr<server::Model> make_thread();
std::unique_ptr<server::Model> make_prefork();
std::unique_ptr<server::Model> make_select();
std::unique_ptr<server::Model> make_poll();
std::unique_ptr<server::Model> make_epoll_lt();
std::unique_ptr<server::Model> make_epoll_et();
std::unique_ptr<server::Model> make_coroutine();
std::unique_ptr<server::Model> make_uring();

namespace {

using Factory = std::unique_ptr<server::Model> (*)();
constexpr Factory factories[] = {
    &make_loop,
    &make_fork,
    &make_thread,
    &make_prefork,
    &make_select,
    &make_poll,
    &make_epoll_lt,
    &make_epoll_et,
    &make_coroutine,
    &make_uring,
};

}  // namespace

std::vector<std::unique_ptr<server::Model>> all_models() {
    std::vector<std::unique_ptr<server::Model>> out;
    for (Factory f : factories) out.push_back(f());
    return out;
}

std::vector<std::string> model_names() {
    std::vector<std::string> out;
    for (const auto& m : all_models()) out.emplace_back(m->name());
    return out;
}

std::unique_ptr<server::Model> make_model(std::string_view name) {
    for (Factory f : factories) {
        auto m = f();
        if (m->name() == name) return m;
    }
    return nullptr;
}

}  // namespace models
