// The registry without starting a model: the table --list-models prints, in its order, with
// unique names and a summary each, and find_model() handing out the same constants.
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "models/registry.hpp"

TEST_CASE("registry: every model once, in --list-models order", "[registry]") {
    const std::vector<std::string> expected = {"loop",      "fork", "thread",   "prefork",
                                               "select",    "poll", "epoll-lt", "epoll-et",
                                               "coroutine", "uring"};
    CHECK(models::model_names() == expected);
    std::set<std::string> seen;
    for (const server::Model* m : models::all_models()) {
        REQUIRE(m != nullptr);
        CHECK(seen.emplace(m->name()).second);
        CHECK(!m->summary().empty());
        CHECK(m->summary().find('\n') == std::string_view::npos);  // one line each
    }
}

TEST_CASE("registry: find_model by exact name", "[registry]") {
    for (const server::Model* m : models::all_models()) CHECK(models::find_model(m->name()) == m);
    CHECK(models::find_model("epoll") == nullptr);
    CHECK(models::find_model("Loop") == nullptr);
    CHECK(models::find_model("") == nullptr);
}

TEST_CASE("registry: only uring may be unavailable", "[registry]") {
    for (const server::Model* m : models::all_models())
        if (m->name() != "uring") CHECK(m->unavailable_reason().empty());
}
