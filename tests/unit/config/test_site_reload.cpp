// What a reload reports of the site tables (table_changes()), and the shipped example's site
// section, which must load as written once uncommented.
#include <fstream>
#include <regex>
#include <sstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli_fixture.hpp"
#include "config/site_rules.hpp"

using config::Action;
using config::table_changes;
using namespace cli_test;
using strings = std::vector<std::string>;

TEST_CASE("an unchanged configuration reports no table change", "[reload][sites]") {
    config::Config cfg;
    cfg.sites.push_back({{"a.example"}, cfg});
    CHECK(table_changes(cfg, cfg).empty());
    // Options of the top level are config::changes()'s, not these lines.
    config::Config fresh = cfg;
    fresh.root = "/elsewhere";
    fresh.strict_hosts = true;
    CHECK(table_changes(cfg, fresh).empty());
}

TEST_CASE("the top level's tables: counts when they change, else that they changed",
          "[reload][sites]") {
    config::Config running, fresh;
    fresh.headers.push_back({"/**", {{"X-A", "1"}}});
    fresh.error_pages[404] = "/404.html";
    fresh.redirects.push_back({"/a", "/b", 301});
    fresh.cors.origins = {"*"};
    CHECK(table_changes(running, fresh) == strings{"error-pages: 0 -> 1 pages",
                                                   "headers: 0 -> 1 rules",
                                                   "redirect: 0 -> 1 rules", "cors changed"});
    running = fresh;
    fresh.headers[0].set[0].second = "2";
    fresh.error_pages[404] = "/missing.html";
    CHECK(table_changes(running, fresh) == strings{"error-pages changed", "headers changed"});
}

TEST_CASE("sites: their count, hosts, own values and tables", "[reload][sites]") {
    config::Config running;
    running.sites.push_back({{"a.example"}, running});
    running.sites.push_back({{"b.example"}, running});
    config::Config fresh = running;
    fresh.sites[0].hosts = {"a.example", "www.a.example"};
    fresh.sites[1].config.root = "/srv/b";
    fresh.sites[1].config.compress = {"gzip"};
    fresh.sites[1].config.listen = {":1"};  // not a site's option: not its line
    fresh.sites[1].config.redirects.push_back({"/x", "/y", 302});
    fresh.sites.push_back({{"c.example"}, running});
    CHECK(table_changes(running, fresh) ==
          strings{"sites: 2 -> 3", "site[1] hosts: 'a.example' -> 'a.example,www.a.example'",
                  "site[2] (b.example) root: '.' -> '/srv/b'",
                  "site[2] (b.example) compress: 'off' -> 'gzip'",
                  "site[2] (b.example) redirect: 0 -> 1 rules"});
}

TEST_CASE("a reload of a changed file reports its tables", "[reload][sites][file]") {
    TempDir dir;
    const auto file = dir.write("c.toml", "[[site]]\nhosts = \"a.example\"\n");
    const auto before = parse({"--config", file});
    REQUIRE(before.action == Action::serve);
    dir.write("c.toml",
              "[[headers]]\nmatch = \"/**\"\nset = { X-A = \"1\" }\n"
              "[[site]]\nhosts = \"a.example\"\nhidden = true\n"
              "[[site]]\nhosts = \"b.example\"\n");
    const auto after = parse({"--config", file});
    REQUIRE(after.action == Action::serve);
    // The site inherits the top level's new rule: it serves with it too.
    CHECK(table_changes(before.cfg, after.cfg) ==
          strings{"headers: 0 -> 1 rules", "sites: 1 -> 2",
                  "site[1] (a.example) hidden: 'false' -> 'true'",
                  "site[1] (a.example) headers: 0 -> 1 rules"});
}

TEST_CASE("headers as an array of inline tables", "[cli][file][tables]") {
    TempDir dir;
    const auto file = dir.write("c.toml",
                                "headers = [{ match = \"/a\", set = { X-A = \"1\" } },\n"
                                "           { match = \"/b\", set = { X-B = \"\\n\" } }]\n");
    const auto r = parse({"--config", file});
    CHECK(r.message == "--config '" + file +
                           "' line 2, column 42: 'headers[2].set.X-B': '\\n' holds CR or LF (it "
                           "would split the response)");
}

// The site section of the shipped example is commented out; uncommented (its roots made to
// exist here), it is a configuration that loads: the documentation cannot drift from the code.
TEST_CASE("the shipped example's site tables load once uncommented", "[cli][file][sites]") {
    std::ifstream in(example_config());
    const std::string text{std::istreambuf_iterator<char>(in), {}};
    const auto section = text.find("# --- Site tables");
    REQUIRE(section != std::string::npos);
    TempDir dir;
    // An example line is "# " then a header or "key = value"; prose never is.
    const std::regex example(R"(^# (\[\[?[a-z.]+\]\]?|[a-z0-9-]+ = .*)$)");
    std::istringstream lines(text.substr(section));
    std::string out = "root = \"" + dir.path.string() + "\"\n";
    int examples = 0;
    for (std::string line; std::getline(lines, line);) {
        std::smatch m;
        if (!std::regex_match(line, m, example)) continue;
        std::string statement = m[1];
        for (const std::string root : {"/srv/example", "/srv/docs"}) {
            if (const auto at = statement.find(root); at != std::string::npos) {
                fs::create_directories(dir.path.string() + root);
                statement.replace(at, root.size(), dir.path.string() + root);
            }
        }
        out += statement + "\n";
        ++examples;
    }
    CHECK(examples > 30);
    const auto r = parse({"--config", dir.write("c.toml", out)});
    INFO(out);
    INFO(r.message);
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.error_pages.size() == 2);
    CHECK(r.cfg.headers.size() == 2);
    CHECK(r.cfg.redirects.size() == 2);
    CHECK(r.cfg.cors.enabled());
    REQUIRE(r.cfg.sites.size() == 2);
    CHECK(r.cfg.sites[0].hosts == strings{"example.com", "www.example.com"});
    CHECK(r.cfg.sites[0].config.fallback == "/index.html");
    CHECK(r.cfg.sites[0].config.compress == strings{"br", "gzip"});
    CHECK(r.cfg.sites[0].config.redirects.size() == 1);
    CHECK(r.cfg.sites[1].config.autoindex);
}
