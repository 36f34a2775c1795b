// [[site]] tables (issue 16): hosts, inheritance from the top level's final values (flags
// included), the site's own keys and tables, validate() of each site, and every refusal as
// its one line with its place.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli_fixture.hpp"
#include "config/options.hpp"

using config::Action;
using namespace std::chrono_literals;
using namespace cli_test;
using strings = std::vector<std::string>;

namespace {

std::string sites_file(const TempDir& dir) {
    const std::string a = (dir.path / "a").string(), b = (dir.path / "b").string();
    fs::create_directories(a);
    fs::create_directories(b);
    return dir.write("c.toml", "root = \"" + a +
                                   "\"\n"
                                   "compress = [\"gzip\"]\n"
                                   "compress-min-size = 100\n"
                                   "error-pages = { 404 = \"/404.html\" }\n"
                                   "[[headers]]\n"
                                   "match = \"/**\"\n"
                                   "set = { X-Frame-Options = \"DENY\" }\n"
                                   "\n"
                                   "[[site]]\n"
                                   "hosts = [\"Example.COM\", \"www.example.com\"]\n"
                                   "root = \"" +
                                   b +
                                   "\"\n"
                                   "compress = \"br,gzip\"\n"
                                   "fallback = \"/index.html\"\n"
                                   "fallback-only-html = true\n"
                                   "tls-cert = \"ex.pem\"\n"
                                   "tls-key = \"ex.key\"\n"
                                   "[[site.headers]]\n"
                                   "match = \"/assets/**\"\n"
                                   "set = { Cache-Control = \"max-age=60\" }\n"
                                   "[site.cors]\n"
                                   "origins = \"*\"\n"
                                   "[[site.redirect]]\n"
                                   "from = \"/old/\"\n"
                                   "to = \"/new/\"\n"
                                   "\n"
                                   "[[site]]\n"
                                   "hosts = \"*.docs.example.com\"\n"
                                   "autoindex = true\n"
                                   "error-pages = { 410 = \"/gone.html\" }\n");
}

}  // namespace

TEST_CASE("a site inherits what it does not set and sets its own", "[cli][file][sites]") {
    TempDir dir;
    const auto r = parse({"--config", sites_file(dir)});
    INFO(r.message);
    REQUIRE(r.action == Action::serve);
    REQUIRE(r.cfg.sites.size() == 2);
    const auto& one = r.cfg.sites[0];
    const auto& two = r.cfg.sites[1];
    CHECK(one.hosts == strings{"example.com", "www.example.com"});  // lower-cased
    CHECK(one.config.root == (dir.path / "b").string());
    CHECK(one.config.compress == strings{"br", "gzip"});
    CHECK(one.config.compress_min_size == 100);  // inherited
    CHECK(one.config.fallback == "/index.html");
    CHECK(one.config.fallback_only_html);
    CHECK(one.config.tls_cert == strings{"ex.pem"});
    CHECK(one.config.tls_key == strings{"ex.key"});
    REQUIRE(one.config.headers.size() == 1);  // its own rules replace the top level's
    CHECK(one.config.headers[0].match == "/assets/**");
    CHECK(one.config.error_pages == r.cfg.error_pages);  // inherited
    CHECK(one.config.cors.origins == strings{"*"});
    CHECK(one.config.redirects == std::vector<config::RedirectRule>{{"/old/", "/new/", 301}});
    CHECK(one.config.sites.empty());
    CHECK(two.hosts == strings{"*.docs.example.com"});
    CHECK(two.config.root == (dir.path / "a").string());
    CHECK(two.config.autoindex);
    CHECK(two.config.compress == strings{"gzip"});
    CHECK(two.config.headers == r.cfg.headers);
    CHECK(two.config.error_pages == std::map<unsigned, std::string>{{410, "/gone.html"}});
    CHECK_FALSE(two.config.cors.enabled());
    CHECK(two.config.tls_cert.empty());
    // The top level keeps its own.
    CHECK(r.cfg.root == (dir.path / "a").string());
    CHECK(r.cfg.compress == strings{"gzip"});
    CHECK_FALSE(r.cfg.cors.enabled());
    CHECK(r.cfg.redirects.empty());
}

TEST_CASE("flags beat the top level's keys and reach the sites that do not set them",
          "[cli][file][sites]") {
    TempDir dir;
    const std::string c = (dir.path / "c").string();
    fs::create_directories(c);
    const auto r = parse({"--config", sites_file(dir), "--root", c, "--compress", "zstd",
                          "--compress-min-size", "1k", "--autoindex=false"});
    INFO(r.message);
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.root == c);
    const auto& one = r.cfg.sites[0].config;
    const auto& two = r.cfg.sites[1].config;
    CHECK(one.root == (dir.path / "b").string());  // the site's own key stands
    CHECK(one.compress == strings{"br", "gzip"});
    CHECK(one.compress_min_size == 1024);
    CHECK(two.root == c);
    CHECK(two.compress == strings{"zstd"});
    CHECK(two.autoindex);  // its own key beats the flag
}

TEST_CASE("validate() checks each site's options after the top level's", "[validate][sites]") {
    config::Config cfg;
    cfg.sites.push_back({{"a.example"}, cfg});
    cfg.sites.push_back({{"b.example"}, cfg});
    CHECK_FALSE(config::validate(cfg));
    cfg.sites[1].config.root = "/nonexistent/polyhttpd";
    CHECK(config::validate(cfg) == "'site[2].root': '/nonexistent/polyhttpd' does not exist");
    const auto problem = config::first_problem(cfg);
    REQUIRE(problem);
    CHECK(problem->site == 1u);
    CHECK(config::options()[problem->option].name == "root");
    // Only the options a site may set are checked on it: its listen is the top level's.
    cfg.sites[1].config.root = ".";
    cfg.sites[1].config.listen.clear();
    CHECK_FALSE(config::validate(cfg));
    cfg.sites[0].config.root = "/etc";
    CHECK(config::validate(cfg) ==
          "'site[1].root': '/etc' is a system directory; serving it would publish the machine's "
          "own files (--allow-system-root if meant)");
    cfg.root = "/nonexistent/top";  // the top level's problem comes first
    CHECK(config::validate(cfg) == "--root: '/nonexistent/top' does not exist");
}

TEST_CASE("--tls-listen is satisfied by a site's certificate", "[validate][sites]") {
    config::Config cfg;
    cfg.tls_listen = {"127.0.0.1:8443"};
    CHECK(config::validate(cfg) ==
          "--tls-listen needs a certificate: give --tls-cert and --tls-key");
    config::Site site{{"a.example"}, cfg};
    site.config.tls_cert = {"a.pem"};
    site.config.tls_key = {"a.key"};
    cfg.sites = {site};
    CHECK_FALSE(config::validate(cfg));
}

// The bad [[site]] tables, each as the one line that refuses it (after "--config 'FILE' ").
TEST_CASE("every problem in a site is one line with its place and key", "[cli][file][sites]") {
    TempDir dir;
    using Case = std::pair<std::string, std::string>;
    const auto [text, tail] = GENERATE(values<Case>({
        {"[site]\nhosts = [\"a\"]\n",
         "line 1, column 1: 'site' must be an array of tables ([[site]]), not a table"},
        {"[[site]]\nroot = \".\"\n",
         "line 1, column 1: 'site[1]' needs 'hosts' (the names it answers to)"},
        {"[[site]]\nhosts = []\n",
         "line 2, column 9: 'site[1].hosts': no host name (give at "
         "least one)"},
        {"[[site]]\nhosts = 5\n",
         "line 2, column 9: 'site[1].hosts' must be an array of strings or a string (\"a,b\"), "
         "not an integer"},
        {"[[site]]\nhosts = [\"a.example:8080\"]\n",
         "line 2, column 9: 'site[1].hosts': 'a.example:8080' has a port; Host is compared "
         "without it (write the name only)"},
        {"[[site]]\nhosts = [\"a.example.\"]\n",
         "line 2, column 9: 'site[1].hosts': 'a.example.' ends with '.'; Host is compared "
         "without it (write it without)"},
        {"[[site]]\nhosts = [\"*\"]\n",
         "line 2, column 9: 'site[1].hosts': '*' alone is no host name: the top level is the "
         "site for any other"},
        {"[[site]]\nhosts = [\"a.*.example\"]\n",
         "line 2, column 9: 'site[1].hosts': 'a.*.example' is not a host name (letters, digits, "
         "'-' and '.'; \"*.\" only in front)"},
        {"[[site]]\nhosts = [\"../etc\"]\n",
         "line 2, column 9: 'site[1].hosts': '../etc' is not a host name (letters, digits, '-' "
         "and '.'; \"*.\" only in front)"},
        {"[[site]]\nhosts = [\"a/b\"]\n",
         "line 2, column 9: 'site[1].hosts': 'a/b' is not a host name (letters, digits, '-' and "
         "'.'; \"*.\" only in front)"},
        {"[[site]]\nhosts = [\"a\\u0000b\"]\n",
         "line 2, column 9: 'site[1].hosts': 'a\\x00b' is not a host name (letters, digits, '-' "
         "and '.'; \"*.\" only in front)"},
        {"[[site]]\nhosts = [\"-a.example\"]\n",
         "line 2, column 9: 'site[1].hosts': '-a.example' is not a host name (letters, digits, "
         "'-' and '.'; \"*.\" only in front)"},
        {"[[site]]\nhosts = [\"" + std::string(64, 'a') + ".example\"]\n",
         "line 2, column 9: 'site[1].hosts': '" + std::string(64, 'a') +
             ".example' is not a host name (letters, digits, '-' and '.'; \"*.\" only in front)"},
        {"[[site]]\nhosts = [\"" + std::string(250, 'a') + ".example\"]\n",
         "line 2, column 9: 'site[1].hosts': '" + std::string(80, 'a') +
             "...' is not a host name (letters, digits, '-' and '.'; \"*.\" only in front)"},
        {"[[site]]\nhosts = [\"a.example\", \"A.example\"]\n",
         "line 2, column 9: 'site[1].hosts': 'a.example' is given twice"},
        {"[[site]]\nhosts = [\"a.example\"]\n[[site]]\nhosts = [\"b.example\", \"A.EXAMPLE\"]\n",
         "line 4, column 9: 'site[2].hosts': 'a.example' is also a host of site[1]"},
        {"[[site]]\nhosts = \"a\"\nlisten = \":1\"\n",
         "line 3, column 1: 'site[1].listen' cannot be set in a [[site]]: it is the whole "
         "server's (set it at the top level)"},
        {"[[site]]\nhosts = \"a\"\nmodel = \"loop\"\n",
         "line 3, column 1: 'site[1].model' cannot be set in a [[site]]: it is the whole "
         "server's (set it at the top level)"},
        {"[[site]]\nhosts = \"a\"\ncompress-cache = \"1M\"\n",
         "line 3, column 1: 'site[1].compress-cache' cannot be set in a [[site]]: it is the "
         "whole server's (set it at the top level)"},
        {"[[site]]\nhosts = \"a\"\nstrict-hosts = true\n",
         "line 3, column 1: 'site[1].strict-hosts' cannot be set in a [[site]]: it is the whole "
         "server's (set it at the top level)"},
        {"[[site]]\nhosts = \"a\"\nbogus = 1\n", "line 3, column 1: unknown key 'site[1].bogus'"},
        {"[[site]]\nhosts = \"a\"\nversion = true\n",
         "line 3, column 1: 'site[1].version' is allowed only on the command line"},
        {"[[site]]\nhosts = \"a\"\n[[site.site]]\nhosts = \"b\"\n",
         "line 3, column 1: 'site[1].site': [[site]] tables do not nest"},
        {"[[site]]\nhosts = \"a\"\nroot = 5\n",
         "line 3, column 8: 'site[1].root' must be a string, not an integer"},
        {"[[site]]\nhosts = \"a\"\nroot.x = \"y\"\n",
         "line 3, column 1: 'site[1].root' must be a string, not a table"},
        {"[[site]]\nhosts = \"a\"\ncompress-min-size = \"big\"\n",
         "line 3, column 21: 'site[1].compress-min-size': invalid size 'big' (use e.g. 256 or "
         "1k)"},
        {"[[site]]\nhosts = \"a\"\nroot = \"/nonexistent/polyhttpd\"\n",
         "line 3, column 8: 'site[1].root': '/nonexistent/polyhttpd' does not exist"},
        {"[[site]]\nhosts = \"a\"\ncompress = [\"gzip\", \"gzip\"]\n",
         "line 3, column 12: 'site[1].compress': 'gzip' is given twice"},
        {"[[site]]\nhosts = \"a\"\nfallback = \"index.html\"\n",
         "line 3, column 12: 'site[1].fallback': 'index.html' must start with '/' (a file in "
         "the root, as /404.html)"},
        // A site's maximum below the minimum it inherits: placed at its own key.
        {"compress-min-size = \"4k\"\n[[site]]\nhosts = \"a\"\ncompress-max-size = \"1k\"\n",
         "line 4, column 21: 'site[1].compress-max-size': 1k is below --compress-min-size (4k)"},
        // Its minimum above the maximum it inherits: the check is the maximum's, which the site
        // did not set: placed at the site.
        {"compress-max-size = \"1k\"\n[[site]]\nhosts = \"a\"\ncompress-min-size = \"4k\"\n",
         "line 2, column 1: 'site[1].compress-max-size': 1k is below --compress-min-size (4k)"},
        {"[[site]]\nhosts = \"a\"\ntls-cert = \"a.pem\"\n",
         "line 3, column 1: 'site[1].tls-cert' needs 'tls-key' beside it (a site's certificate "
         "and its key)"},
        {"[[site]]\nhosts = \"a\"\ntls-key = \"a.key\"\n",
         "line 3, column 1: 'site[1].tls-key' needs 'tls-cert' beside it (a site's certificate "
         "and its key)"},
        {"[[site]]\nhosts = \"a\"\ntls-cert = [\"a.pem\"]\ntls-key = \"a.key\"\n",
         "line 3, column 12: 'site[1].tls-cert' must be a string (a site has one certificate), "
         "not an array of strings"},
        // The site tables, placed and named inside their site.
        {"[[site]]\nhosts = \"a\"\n[[site]]\nhosts = \"b\"\n[[site.headers]]\nmatch = \"/\"\n"
         "set = { ETag = \"x\" }\n",
         "line 7, column 9: 'site[2].headers[1].set.ETag': 'ETag' is set by polyhttpd itself"},
        {"[[site]]\nhosts = \"a\"\n[site.cors]\norigins = [\"ftp://a\"]\n",
         "line 4, column 11: 'site[1].cors.origins': 'ftp://a' is not an origin (\"*\" or "
         "http(s)://host[:port], as https://app.example)"},
        {"[[site]]\nhosts = \"a\"\nerror-pages = { 600 = \"/x\" }\n",
         "line 3, column 17: 'site[1].error-pages.600': '600' is not an error status (400..599)"},
        {"[[site]]\nhosts = \"a\"\n[[site.redirect]]\nfrom = \"/a\"\n",
         "line 3, column 1: 'site[1].redirect[1]' needs 'to' (a path or a URL)"},
    }));
    CAPTURE(text);
    CHECK(refusal(dir, text) == tail);
}

TEST_CASE("hosts: wildcards, IP literals, one string", "[cli][file][sites]") {
    TempDir dir;
    const auto r =
        parse({"--config", dir.write("c.toml",
                                     "[[site]]\nhosts = \"*.A.example,127.0.0.1\"\n"
                                     "[[site]]\nhosts = [\"[::1]\", \"under_score.example\"]\n")});
    INFO(r.message);
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.sites[0].hosts == strings{"*.a.example", "127.0.0.1"});
    CHECK(r.cfg.sites[1].hosts == strings{"[::1]", "under_score.example"});
}
