// The option table (options.hpp): what is generated from it, and the entries with tests of
// their own (--uring-files, --defer-accept).
#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "config/file/cli.hpp"
#include "config/options.hpp"

using config::Apply;
using config::Config;
using namespace std::chrono_literals;

namespace {

config::ParseResult parse(std::vector<std::string> args) {
    args.insert(args.begin(), "polyhttpd");
    std::vector<const char*> argv;
    for (const auto& a : args) argv.push_back(a.c_str());
    return config::parse_command_line(static_cast<int>(argv.size()), argv.data(), {"epoll-et"});
}

}  // namespace

TEST_CASE("every option has one unique name, help text and a flag in --help", "[options]") {
    const std::string help = parse({"--help"}).message;
    std::set<std::string_view> names;
    for (const config::Option& opt : config::options()) {
        CAPTURE(opt.name);
        CHECK(names.insert(opt.name).second);
        CHECK_FALSE(opt.help.empty());
        CHECK(opt.name.find('_') == std::string_view::npos);  // keys are the flags' spelling
        CHECK_THAT(help, Catch::Contains(config::flag(opt) + " "));
    }
    CHECK(names.size() >= 24);
}

TEST_CASE("the defaults shown by --help are the ones a flag would spell", "[options]") {
    const Config d;
    for (const config::Option& opt : config::options()) {
        CAPTURE(opt.name);
        Config parsed;
        // Converting the formatted default yields the default again (lists and flags: "").
        if (const std::string text = config::format_value(d, opt); !text.empty())
            CHECK_FALSE(config::convert_value(text, opt, parsed).has_value());
        CHECK(parsed == d);
    }
    Config c;
    c.workers = 0;
    const auto& workers = *std::find_if(config::options().begin(), config::options().end(),
                                        [](const auto& o) { return o.name == "workers"; });
    CHECK(config::format_value(c, workers) == "auto");
    // Not given: each model's default, shown as such by --help (prefork's 8, one event loop).
    CHECK(config::format_value(d, workers) == "model default");
    CHECK(workers.per_model);
}

TEST_CASE("--workers: an explicit 1 is 1, not the model's default", "[options]") {
    const auto& workers = *std::find_if(config::options().begin(), config::options().end(),
                                        [](const auto& o) { return o.name == "workers"; });
    Config c;
    REQUIRE_FALSE(config::convert_value("1", workers, c).has_value());
    CHECK(c.workers == 1);
    CHECK(c.workers != Config{}.workers);
    REQUIRE_FALSE(config::convert_value("model default", workers, c).has_value());
    CHECK(c.workers == config::workers_unset);
    CHECK_FALSE(config::validate(c).has_value());  // the sentinel is not "above 1024"
    Config four;
    four.workers = 4;
    CHECK(config::changes(c, four, Apply::at_start).front().from == "model default");
}

TEST_CASE("choices read as a sentence", "[options]") {
    CHECK(config::list_choices(config::access_log_formats) == "common, combined or json");
    CHECK(config::list_choices(config::uring_files_modes) == "sendfile or splice");
    const std::string_view one[] = {"only"};
    CHECK(config::list_choices(one) == "only");
}

TEST_CASE("changes and copy_values follow each option's Apply class", "[options]") {
    Config running, fresh;
    fresh.model = "loop";
    fresh.defer_accept = 3s;
    fresh.group = "0";
    fresh.workers = 4;
    fresh.root = "/srv";
    const auto restart = config::changes(running, fresh, Apply::restart);
    REQUIRE(restart.size() == 3);
    CHECK(restart[0].name == "model");
    CHECK(restart[1].name == "defer-accept");
    CHECK(restart[1].from == "1000ms");  // the default
    CHECK(restart[1].to == "3000ms");
    CHECK(restart[2].name == "group");
    const auto at_start = config::changes(running, fresh, Apply::at_start);
    REQUIRE(at_start.size() == 1);
    CHECK(at_start[0].to == "4");
    CHECK(config::changes(running, fresh, Apply::live).size() == 1);  // root

    config::copy_values(fresh, running, Apply::restart);
    CHECK(fresh.model == running.model);
    CHECK(fresh.defer_accept == running.defer_accept);
    CHECK(fresh.group.empty());
    CHECK(fresh.workers == 4);  // not restart-only: kept
    CHECK(fresh.root == "/srv");
}

TEST_CASE("--uring-files: sendfile by default, splice, nothing else", "[options][cli]") {
    CHECK(Config{}.uring_files == "sendfile");
    const auto r = parse({"--uring-files", "splice"});
    REQUIRE(r.action == config::Action::serve);
    CHECK(r.cfg.uring_files == "splice");
    const auto bad = parse({"--uring-files", "mmap"});
    CHECK(bad.action == config::Action::exit_error);
    CHECK(bad.message == "--uring-files: unknown mode 'mmap' (use sendfile or splice)");
    Config c;
    c.uring_files = "Splice";
    CHECK(config::validate(c) == "--uring-files: unknown mode 'Splice' (use sendfile or splice)");
}

TEST_CASE("--defer-accept: on for 1 s by default (as h2o and nginx's deferred), 0 is off",
          "[options][cli]") {
    // Issue 18: the default a user gets wins Connection: close only with it on.
    CHECK(Config{}.defer_accept == 1s);
    CHECK(parse({}).cfg.defer_accept == 1s);
    const auto off = parse({"--defer-accept", "0"});
    REQUIRE(off.action == config::Action::serve);
    CHECK(off.cfg.defer_accept == 0s);
    const auto bad = parse({"--defer-accept", "soon"});
    CHECK(bad.action == config::Action::exit_error);
}
