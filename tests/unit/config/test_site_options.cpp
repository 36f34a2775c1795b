// The site options of issue 16 (compress*, fallback*, strict-hosts) and file-cache-valid: as flags, as keys of the
// config file, their defaults and every refusal as its one line.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli_fixture.hpp"

using config::Action;
using namespace cli_test;
using strings = std::vector<std::string>;

TEST_CASE("site options have the issue's defaults", "[cli][site]") {
    const auto r = parse({});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.compress.empty());
    CHECK(r.cfg.compress_min_size == 256);
    CHECK(r.cfg.compress_max_size == 64 * 1024 * 1024);
    CHECK(r.cfg.compress_cache == 64 * 1024 * 1024);
    CHECK(r.cfg.file_cache_valid == std::chrono::seconds(1));
    CHECK(r.cfg.fallback.empty());
    CHECK_FALSE(r.cfg.fallback_only_html);
    CHECK_FALSE(r.cfg.strict_hosts);
    CHECK(r.cfg.sites.empty());
}

TEST_CASE("site options as flags", "[cli][site]") {
    const auto r =
        parse({"--compress", "br,gzip", "--compress", "zstd", "--compress-types",
               "text/*,application/json", "--compress-min-size", "1k", "--compress-max-size", "2M",
               "--compress-cache", "0", "--fallback", "/index.html", "--fallback-only-html",
               "--file-cache-valid", "0"});
    INFO(r.message);
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.compress == strings{"br", "gzip", "zstd"});  // the order is the preference
    CHECK(r.cfg.compress_types == strings{"text/*", "application/json"});
    CHECK(r.cfg.compress_min_size == 1024);
    CHECK(r.cfg.compress_max_size == 2 * 1024 * 1024);
    CHECK(r.cfg.file_cache_valid.count() == 0);
    CHECK(r.cfg.compress_cache == 0);
    CHECK(r.cfg.fallback == "/index.html");
    CHECK(r.cfg.fallback_only_html);
}

TEST_CASE("site options as keys, and flags beating them", "[cli][file][site]") {
    TempDir dir;
    const auto file = dir.write("c.toml",
                                "compress = [\"zstd\", \"br\"]\n"
                                "compress-types = \"text/html\"\n"
                                "compress-min-size = 10\n"
                                "compress-max-size = \"1M\"\n"
                                "compress-cache = \"8M\"\n"
                                "file-cache-valid = \"5s\"\n"
                                "fallback = \"/app/index.html\"\n"
                                "fallback-only-html = true\n"
                                "strict-hosts = true\n"
                                "[[site]]\n"
                                "hosts = \"a.example\"\n");
    auto r = parse({"--config", file});
    INFO(r.message);
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.compress == strings{"zstd", "br"});
    CHECK(r.cfg.compress_types == strings{"text/html"});
    CHECK(r.cfg.compress_min_size == 10);
    CHECK(r.cfg.compress_max_size == 1024 * 1024);
    CHECK(r.cfg.compress_cache == 8 * 1024 * 1024);
    CHECK(r.cfg.file_cache_valid == std::chrono::seconds(5));
    CHECK(r.cfg.fallback == "/app/index.html");
    CHECK(r.cfg.fallback_only_html);
    CHECK(r.cfg.strict_hosts);
    // "off" empties the file's list; =false clears its flags.
    r = parse({"--config", file, "--compress", "off", "--strict-hosts=false",
               "--fallback-only-html=false", "--fallback", ""});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.compress.empty());
    CHECK_FALSE(r.cfg.strict_hosts);
    CHECK_FALSE(r.cfg.fallback_only_html);
    CHECK(r.cfg.fallback.empty());
}

TEST_CASE("site option values refused, one line each", "[cli][site]") {
    using Case = std::pair<strings, std::string>;
    const auto [args, message] = GENERATE(values<Case>({
        {{"--strict-hosts"},
         "--strict-hosts: no [[site]] in the config file, so every request would get 421"},
        {{"--compress", "deflate"},
         "--compress: unknown encoding 'deflate' (use br, zstd or gzip)"},
        {{"--compress", "gzip,br,gzip"}, "--compress: 'gzip' is given twice"},
        {{"--compress", "off,gzip"}, "--compress: 'off' stands alone, never beside encodings"},
        {{"--compress", "GZIP"}, "--compress: unknown encoding 'GZIP' (use br, zstd or gzip)"},
        {{"--compress-types", "text"},
         "--compress-types: 'text' is not a media type (type/subtype or type/*, as text/css)"},
        {{"--compress-types", "*/*"},
         "--compress-types: '*/*' is not a media type (type/subtype or type/*, as text/css)"},
        {{"--compress-types", "text/html;charset=utf-8"},
         "--compress-types: 'text/html;charset=utf-8' has parameters; give the type alone "
         "(text/html)"},
        {{"--compress-types", "Text/HTML"},
         "--compress-types: 'Text/HTML': media types are written in lower case here"},
        {{"--compress-types", "text/a/b"},
         "--compress-types: 'text/a/b' is not a media type (type/subtype or type/*, as text/css)"},
        {{"--compress-min-size", "2k", "--compress-max-size", "1k"},
         "--compress-max-size: 1k is below --compress-min-size (2k)"},
        {{"--compress-min-size", "lots"},
         "--compress-min-size: invalid size 'lots' (use e.g. 256 or 1k)"},
        {{"--compress-cache", "-1"}, "--compress-cache: invalid size '-1' (use e.g. 64M)"},
        {{"--file-cache-valid", "soon"},
         "--file-cache-valid: invalid duration 'soon' (use e.g. 10s, 500ms)"},
        {{"--fallback", "index.html"},
         "--fallback: 'index.html' must start with '/' (a file in the root, as /404.html)"},
        {{"--fallback", "/../etc/passwd"},
         "--fallback: '/../etc/passwd' has a '..' segment (the file is inside the root)"},
        {{"--fallback", "/a/.."},
         "--fallback: '/a/..' has a '..' segment (the file is inside the root)"},
        {{"--fallback", "/a\r\nb"}, "--fallback: '/a\\r\\nb' holds NUL, CR or LF"},
    }));
    const auto r = parse(args);
    CAPTURE(args);
    CHECK(r.action == Action::exit_error);
    CHECK(r.message == message);
}

TEST_CASE("a '..' inside a name is no segment", "[cli][site]") {
    const auto r = parse({"--fallback", "/a..b/c..html"});
    INFO(r.message);
    CHECK(r.action == Action::serve);
}

TEST_CASE("a site option's bad value in the file is placed there", "[cli][file][site]") {
    TempDir dir;
    using Case = std::pair<std::string, std::string>;
    const auto [text, tail] = GENERATE(values<Case>({
        {"compress = [\"gzip\", \"lz4\"]\n",
         "line 1, column 12: --compress: unknown encoding 'lz4' (use br, zstd or gzip)"},
        {"compress = true\n",
         "line 1, column 12: 'compress' must be an array of strings or a string (\"a,b\"), not a "
         "boolean"},
        {"compress-min-size = \"2k\"\ncompress-max-size = \"1k\"\n",
         "line 2, column 21: --compress-max-size: 1k is below --compress-min-size (2k)"},
        {"compress-max-size = 1.5\n",
         "line 1, column 21: 'compress-max-size' must be an integer (bytes) or a string such as "
         "\"16k\", not a float"},
        {"fallback = \"/x/../y\"\n",
         "line 1, column 12: --fallback: '/x/../y' has a '..' segment (the file is inside the "
         "root)"},
        // argv cannot hold a NUL; a TOML escape can.
        {"fallback = \"/a\\u0000b\"\n",
         "line 1, column 12: --fallback: '/a\\x00b' holds NUL, CR or LF"},
        {"file-cache-valid = \"soon\"\n",
         "line 1, column 20: 'file-cache-valid': invalid duration 'soon' (use e.g. 10s, 500ms)"},
        {"strict-hosts = \"yes\"\n",
         "line 1, column 16: 'strict-hosts' must be true or false, not a string"},
    }));
    CAPTURE(text);
    CHECK(refusal(dir, text) == tail);
}

TEST_CASE("--help describes the site options", "[cli][site]") {
    const std::string help = parse({"--help"}).message;
    for (const char* line :
         {"--compress ENCODINGS", "--compress-types TYPES", "--compress-min-size SIZE",
          "--compress-max-size SIZE", "--compress-cache SIZE", "--fallback PATH",
          "--fallback-only-html", "--strict-hosts", "br, zstd, gzip", "421"}) {
        CAPTURE(line);
        CHECK(help.find(line) != std::string::npos);
    }
}
