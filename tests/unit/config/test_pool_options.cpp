// prefork's pool options (issue 17): --min-spare, --max-spare, --max-workers and
// --retire-interval on the command line, their Apache-like defaults, and their reload class.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli_fixture.hpp"
#include "config/options.hpp"

using namespace std::chrono_literals;

TEST_CASE("pool options: defaults, flags and durations", "[options][prefork]") {
    const config::ParseResult defaults = cli_test::parse({});
    REQUIRE(defaults.action == config::Action::serve);
    CHECK(defaults.cfg.min_spare == 5);
    CHECK(defaults.cfg.max_spare == 10);
    CHECK(defaults.cfg.max_workers == 256);
    CHECK(defaults.cfg.retire_interval == 1s);

    const config::ParseResult set =
        cli_test::parse({"--min-spare", "2", "--max-spare", "4", "--max-workers", "64",
                         "--retire-interval", "250ms"});
    REQUIRE(set.action == config::Action::serve);
    CHECK(set.cfg.min_spare == 2);
    CHECK(set.cfg.max_spare == 4);
    CHECK(set.cfg.max_workers == 64);
    CHECK(set.cfg.retire_interval == 250ms);

    const config::ParseResult zero = cli_test::parse({"--retire-interval", "0"});
    CHECK(zero.action == config::Action::exit_error);
    CHECK(zero.message.find("--retire-interval") != std::string::npos);
}

TEST_CASE("pool options: a reload resizes the pool (Apply::at_start)", "[options][prefork]") {
    config::Config running, fresh;
    fresh.min_spare = 8;
    fresh.max_workers = 100;
    const auto changes = config::changes(running, fresh, config::Apply::at_start);
    REQUIRE(changes.size() == 2);
    CHECK(changes[0].name == "min-spare");
    CHECK(changes[1].name == "max-workers");
}
