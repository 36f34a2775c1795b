// The registry without starting a model: the table --list-models prints, in its order, with
// unique names and a summary each, and find_model() handing out the same constants; which
// per-model options each reads, and the warnings for those it does not.
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "config/options.hpp"
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

TEST_CASE("registry: each model reads only per-model options, and says which", "[registry]") {
    std::set<std::string_view> per_model;
    for (const config::Option& opt : config::options())
        if (opt.per_model) per_model.insert(opt.name);
    CHECK(per_model == std::set<std::string_view>{"workers", "max-requests-per-worker", "min-spare",
                                                  "max-spare", "max-workers", "retire-interval",
                                                  "uring-files", "reuseport"});
    for (const server::Model* m : models::all_models()) {
        CAPTURE(m->name());
        for (const std::string_view name : m->reads()) CHECK(per_model.count(name) == 1);
    }
    const auto reads = [](std::string_view model) {
        const auto r = models::find_model(model)->reads();
        return std::set<std::string_view>(r.begin(), r.end());
    };
    using Names = std::set<std::string_view>;
    CHECK(reads("loop").empty());
    CHECK(reads("fork").empty());
    CHECK(reads("thread").empty());
    CHECK(reads("prefork") == Names{"workers", "max-requests-per-worker", "min-spare", "max-spare",
                                    "max-workers", "retire-interval"});
    CHECK(reads("uring") == Names{"workers", "uring-files", "reuseport"});
    for (const char* loop : {"select", "poll", "epoll-lt", "epoll-et", "coroutine"})
        CHECK(reads(loop) == Names{"workers", "reuseport"});
}

TEST_CASE("ignored_options: a set option the model does not read, one line each", "[registry]") {
    const config::Config defaults;
    for (const server::Model* m : models::all_models())
        CHECK(server::ignored_options(*m, defaults).empty());  // defaults are never "set"

    config::Config c;
    c.workers = 4;
    c.max_requests_per_worker = 100;
    c.uring_files = "splice";
    c.reuseport = true;
    CHECK(server::ignored_options(*models::find_model("loop"), c) ==
          std::vector<std::string>{
              "--workers 4 is ignored: --model loop does not read it",
              "--max-requests-per-worker 100 is ignored: --model loop does not read it",
              "--uring-files splice is ignored: --model loop does not read it",
              "--reuseport is ignored: --model loop does not read it"});
    CHECK(server::ignored_options(*models::find_model("prefork"), c) ==
          std::vector<std::string>{
              "--uring-files splice is ignored: --model prefork does not read it",
              "--reuseport is ignored: --model prefork does not read it"});
    c.workers = 0;
    CHECK(server::ignored_options(*models::find_model("thread"), c).front() ==
          "--workers auto is ignored: --model thread does not read it");
    c.workers = 1;  // explicitly 1 is set too: prefork would run one worker
    CHECK(server::ignored_options(*models::find_model("fork"), c).front() ==
          "--workers 1 is ignored: --model fork does not read it");
}
