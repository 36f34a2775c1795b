// --reuseport: off by default; a flag on the command line, true or false in the file, anything
// else refused with file, line and key. (--defer-accept's default: test_options.cpp.)
#include <catch2/catch.hpp>

#include "unit/config/cli_fixture.hpp"

TEST_CASE("--reuseport: off by default, a flag on the command line and in the file",
          "[options][cli][file]") {
    CHECK_FALSE(config::Config{}.reuseport);
    CHECK_FALSE(cli_test::parse({}).cfg.reuseport);
    const auto on = cli_test::parse({"--reuseport", "--workers", "4"});
    REQUIRE(on.action == config::Action::serve);
    CHECK(on.cfg.reuseport);
    cli_test::TempDir dir;
    const auto file = dir.write("c.toml", "workers = 2\nreuseport = true\n");
    const auto from_file = cli_test::parse({"--config", file});
    REQUIRE(from_file.action == config::Action::serve);
    CHECK(from_file.cfg.reuseport);
    CHECK_FALSE(cli_test::parse({"--config", file, "--reuseport=false"}).cfg.reuseport);
}

TEST_CASE("--reuseport: a value that is not true or false is refused with its place",
          "[options][file]") {
    cli_test::TempDir dir;
    CHECK(cli_test::refusal(dir, "workers = 2\nreuseport = \"yes\"\n") ==
          "line 2, column 13: 'reuseport' must be true or false, not a string");
    CHECK(cli_test::refusal(dir, "reuseport = 1\n") ==
          "line 1, column 13: 'reuseport' must be true or false, not an integer");
    CHECK(cli_test::parse({"--reuseport=maybe"}).action == config::Action::exit_error);
}
