// The site tables of the config file (issue 16): error-pages, [[headers]], [[redirect]] and
// [cors] at the top level, read into Config; every refusal as its one line with its place.
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "cli_fixture.hpp"

using config::Action;
using namespace std::chrono_literals;
using namespace cli_test;
using strings = std::vector<std::string>;
using Set = std::vector<std::pair<std::string, std::string>>;

TEST_CASE("error-pages, headers, redirects and cors are read in the file's order",
          "[cli][file][tables]") {
    TempDir dir;
    const auto file =
        dir.write("c.toml",
                  "error-pages = { 404 = \"/404.html\", 403 = \"/errors/403.html\" }\n"
                  "\n"
                  "[[headers]]\n"
                  "match = \"/assets/**\"\n"
                  "set = { Cache-Control = \"max-age=31536000\", \"X-Z\" = \"1\", "
                  "A-First = \"2\" }\n"
                  "\n"
                  "[[headers]]\n"
                  "match = \"*.woff2\"\n"
                  "[headers.set]\n"
                  "Zeta = \"z\"\n"
                  "X-Access-Control = \"not [cors]'s: only the prefix counts\"\n"
                  "alpha = \"a\\tb\"\n"
                  "\n"
                  "[[redirect]]\n"
                  "from = \"/old\"\n"
                  "to = \"/new?x=1\"\n"
                  "\n"
                  "[[redirect]]\n"
                  "status = 308\n"
                  "from = \"/blog/\"\n"
                  "to = \"HTTPS://blog.example.com/\"\n"
                  "\n"
                  "[cors]\n"
                  "origins = [\"HTTPS://App.Example\", \"http://[::1]:8080\"]\n"
                  "methods = \"GET,POST\"\n"
                  "headers = [\"Authorization\"]\n"
                  "max-age = \"10m\"\n");
    const auto r = parse({"--config", file});
    INFO(r.message);
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.error_pages ==
          std::map<unsigned, std::string>{{403, "/errors/403.html"}, {404, "/404.html"}});
    REQUIRE(r.cfg.headers.size() == 2);
    CHECK(r.cfg.headers[0].match == "/assets/**");
    CHECK(r.cfg.headers[0].set ==
          Set{{"Cache-Control", "max-age=31536000"}, {"X-Z", "1"}, {"A-First", "2"}});
    CHECK(r.cfg.headers[1].match == "*.woff2");
    CHECK(r.cfg.headers[1].set == Set{{"Zeta", "z"},
                                      {"X-Access-Control", "not [cors]'s: only the prefix counts"},
                                      {"alpha", "a\tb"}});
    REQUIRE(r.cfg.redirects.size() == 2);
    CHECK(r.cfg.redirects[0] == config::RedirectRule{"/old", "/new?x=1", 301});
    CHECK(r.cfg.redirects[1] == config::RedirectRule{"/blog/", "HTTPS://blog.example.com/", 308});
    CHECK(r.cfg.cors.origins == strings{"https://app.example", "http://[::1]:8080"});
    CHECK(r.cfg.cors.methods == strings{"GET", "POST"});
    CHECK(r.cfg.cors.headers == strings{"Authorization"});
    CHECK(r.cfg.cors.max_age == 600s);
    CHECK(r.cfg.sites.empty());
}

TEST_CASE("cors defaults, and origins \"*\"", "[cli][file][tables]") {
    TempDir dir;
    const auto r = parse({"--config", dir.write("c.toml", "cors = { origins = \"*\" }\n")});
    REQUIRE(r.action == Action::serve);
    CHECK(r.cfg.cors.origins == strings{"*"});
    CHECK(r.cfg.cors.methods == strings{"GET", "HEAD"});
    CHECK(r.cfg.cors.headers.empty());
    CHECK(r.cfg.cors.max_age == 0s);
    CHECK(r.cfg.cors.enabled());
}

TEST_CASE("every header name polyhttpd owns is refused, in any case", "[cli][file][tables]") {
    TempDir dir;
    const std::string name = GENERATE(
        "Content-Length", "transfer-encoding", "Connection", "Keep-Alive", "Upgrade", "Trailer",
        "Content-Type", "Content-Encoding", "VARY", "Content-Range", "Accept-Ranges", "ETag",
        "Last-Modified", "Allow", "Date", "Server", "Location", "Strict-Transport-Security");
    const auto file =
        dir.write("c.toml", "[[headers]]\nmatch = \"/**\"\nset = { " + name + " = \"x\" }\n");
    const auto r = parse({"--config", file});
    CHECK(r.message == "--config '" + file + "' line 3, column 9: 'headers[1].set." + name +
                           "': '" + name + "' is set by polyhttpd itself");
}

// The file's bad tables, each as the one line that refuses it (after "--config 'FILE' ").
TEST_CASE("every problem in a table is one line with its place and key", "[cli][file][tables]") {
    TempDir dir;
    using Case = std::pair<std::string, std::string>;
    const auto [text, tail] = GENERATE(values<Case>({
        // error-pages
        {"error-pages = \"/404.html\"\n",
         "line 1, column 15: 'error-pages' must be a table such as { 404 = \"/404.html\" }, not a "
         "string"},
        {"error-pages = { 302 = \"/x.html\" }\n",
         "line 1, column 17: 'error-pages.302': '302' is not an error status (400..599)"},
        {"error-pages = { 404 = \"/a\", x = \"/b\" }\n",
         "line 1, column 29: 'error-pages.x': 'x' is not an error status (400..599)"},
        {"[error-pages]\n404 = 404\n",
         "line 2, column 7: 'error-pages.404' must be a string, not an integer"},
        {"error-pages = { 404 = \"404.html\" }\n",
         "line 1, column 23: 'error-pages.404': '404.html' must start with '/' (a file in the "
         "root, as /404.html)"},
        {"error-pages = { 500 = \"/../500.html\" }\n",
         "line 1, column 23: 'error-pages.500': '/../500.html' has a '..' segment (the file is "
         "inside the root)"},
        // [[headers]]
        {"headers = { match = \"/\" }\n",
         "line 1, column 11: 'headers' must be an array of tables ([[headers]]), not a table"},
        {"[headers]\nmatch = \"/\"\n",
         "line 1, column 1: 'headers' must be an array of tables ([[headers]]), not a table"},
        {"[[headers]]\nset = { X = \"1\" }\n",
         "line 1, column 1: 'headers[1]' needs 'match' (a path glob such as \"/assets/**\")"},
        {"[[headers]]\nmatch = \"/a\"\n",
         "line 1, column 1: 'headers[1]' needs 'set' (header names and values)"},
        {"[[headers]]\nmatch = \"/a\"\nset = {}\n",
         "line 3, column 7: 'headers[1].set': no header to set"},
        {"[[headers]]\nmatch = \"/a\"\nset = { X = \"1\" }\nvalue = 1\n",
         "line 4, column 1: unknown key 'headers[1].value' ([[headers]] has match and set)"},
        {"[[headers]]\nmatch = \"/a\"\nset = \"X: 1\"\n",
         "line 3, column 7: 'headers[1].set' must be a table of header names and values "
         "({ Cache-Control = \"...\" }), not a string"},
        {"[[headers]]\nmatch = [\"/a\"]\nset = { X = \"1\" }\n",
         "line 2, column 9: 'headers[1].match' must be a string, not an array of strings"},
        {"[[headers]]\nmatch = \"assets/**\"\nset = { X = \"1\" }\n",
         "line 2, column 9: 'headers[1].match': 'assets/**' must start with '/' (a path) or '*' "
         "(a file name, as *.woff2)"},
        {"[[headers]]\nmatch = \"*/x.css\"\nset = { X = \"1\" }\n",
         "line 2, column 9: 'headers[1].match': '*/x.css': a file-name pattern has no '/' (for a "
         "path, start with '/')"},
        {"[[headers]]\nmatch = \"/a/../b\"\nset = { X = \"1\" }\n",
         "line 2, column 9: 'headers[1].match': '/a/../b' has a '.' or '..' segment, which no "
         "request path has"},
        {"[[headers]]\nmatch = \"/a**\"\nset = { X = \"1\" }\n",
         "line 2, column 9: 'headers[1].match': '/a**': '**' stands alone between slashes, as in "
         "/assets/**"},
        {"[[headers]]\nmatch = \"**\"\nset = { X = \"1\" }\n",
         "line 2, column 9: 'headers[1].match': '**': '**' stands alone between slashes, as in "
         "/assets/**"},
        {"[[headers]]\nmatch = \"\"\nset = { X = \"1\" }\n",
         "line 2, column 9: 'headers[1].match': an empty pattern"},
        {"[[headers]]\nmatch = \"/\\n\"\nset = { X = \"1\" }\n",
         "line 2, column 9: 'headers[1].match': '/\\n' holds a control byte"},
        {"[[headers]]\nmatch = \"/\"\nset = { \"X Y\" = \"1\" }\n",
         "line 3, column 9: 'headers[1].set.X Y': 'X Y' is not a header name (letters, digits "
         "and !#$%&'*+-.^_`|~)"},
        {"[[headers]]\nmatch = \"/\"\nset = { \"X:\" = \"1\" }\n",
         "line 3, column 9: 'headers[1].set.X:': 'X:' is not a header name (letters, digits "
         "and !#$%&'*+-.^_`|~)"},
        {"[[headers]]\nmatch = \"/\"\nset = { \"\" = \"1\" }\n",
         "line 3, column 9: 'headers[1].set.': '' is not a header name (letters, digits "
         "and !#$%&'*+-.^_`|~)"},
        {"[[headers]]\nmatch = \"/\"\nset = { Access-Control-Allow-Origin = \"*\" }\n",
         "line 3, column 9: 'headers[1].set.Access-Control-Allow-Origin': "
         "'Access-Control-Allow-Origin' is [cors]'s to send"},
        {"[[headers]]\nmatch = \"/\"\nset = { X = \"a\\r\\nSet-Cookie: s=1\" }\n",
         "line 3, column 13: 'headers[1].set.X': 'a\\r\\nSet-Cookie: s=1' holds CR or LF (it "
         "would split the response)"},
        {"[[headers]]\nmatch = \"/\"\nset = { X = \"a\\nb\" }\n",
         "line 3, column 13: 'headers[1].set.X': 'a\\nb' holds CR or LF (it would split the "
         "response)"},
        {"[[headers]]\nmatch = \"/\"\nset = { X = \"a\\u0000b\" }\n",
         "line 3, column 13: 'headers[1].set.X': 'a\\x00b' holds a control byte (only tab is "
         "allowed)"},
        {"[[headers]]\nmatch = \"/\"\nset = { X = \"a\\u007fb\" }\n",
         "line 3, column 13: 'headers[1].set.X': 'a\\x7Fb' holds a control byte (only tab is "
         "allowed)"},
        {"[[headers]]\nmatch = \"/\"\nset = { X = \"\" }\n",
         "line 3, column 13: 'headers[1].set.X': an empty value (leave the header out to send "
         "none)"},
        {"[[headers]]\nmatch = \"/\"\nset = { X = 1 }\n",
         "line 3, column 13: 'headers[1].set.X' must be a string, not an integer"},
        {"[[headers]]\nmatch = \"/\"\nset = { X-A = \"1\", x-a = \"2\" }\n",
         "line 3, column 20: 'headers[1].set.x-a': 'x-a' is set twice (names have no case)"},
        {"[[headers]]\nmatch = \"/\"\n[headers.set]\nX = \"1\"\nY = \"\\r\"\n",
         "line 5, column 5: 'headers[1].set.Y': '\\r' holds CR or LF (it would split the "
         "response)"},
        {"[[headers]]\nmatch = \"/a\"\nset = { X = \"1\" }\n[[headers]]\nmatch = \"b\"\n",
         "line 5, column 9: 'headers[2].match': 'b' must start with '/' (a path) or '*' (a file "
         "name, as *.woff2)"},
        // [[redirect]]
        {"[[redirect]]\nto = \"/b\"\n",
         "line 1, column 1: 'redirect[1]' needs 'from' (the path redirected)"},
        {"[[redirect]]\nfrom = \"/a\"\n",
         "line 1, column 1: 'redirect[1]' needs 'to' (a path or a URL)"},
        {"[[redirect]]\nfrom = \"a\"\nto = \"/b\"\n",
         "line 2, column 8: 'redirect[1].from': 'a' must start with '/'"},
        {"[[redirect]]\nfrom = \"/a?x=1\"\nto = \"/b\"\n",
         "line 2, column 8: 'redirect[1].from': '/a?x=1' is a path only (the request's query "
         "string is kept)"},
        {"[[redirect]]\nfrom = \"/blog/*\"\nto = \"/b/\"\n",
         "line 2, column 8: 'redirect[1].from': '/blog/*': no '*'; a prefix ends in '/' "
         "(\"/blog/\" redirects all below)"},
        {"[[redirect]]\nfrom = \"/a/../b\"\nto = \"/b\"\n",
         "line 2, column 8: 'redirect[1].from': '/a/../b' has a '.' or '..' segment, which no "
         "request path has"},
        {"[[redirect]]\nto = \"/b\"\nfrom = \"/a\\r\"\n",
         "line 3, column 8: 'redirect[1].from': '/a\\r' holds a control byte"},
        {"[[redirect]]\nfrom = \"/a\"\nto = \"/b c\"\n",
         "line 3, column 6: 'redirect[1].to': '/b c' holds a space or a control byte "
         "(percent-encode it: %20)"},
        {"[[redirect]]\nfrom = \"/a\"\nto = \"/b\\r\\nSet-Cookie: x=1\"\n",
         "line 3, column 6: 'redirect[1].to': '/b\\r\\nSet-Cookie: x=1' holds a space or a "
         "control byte (percent-encode it: %20)"},
        {"[[redirect]]\nfrom = \"/a\"\nto = \"//evil.example/\"\n",
         "line 3, column 6: 'redirect[1].to': '//evil.example/' names another host to browsers; "
         "write the URL (https://host/...)"},
        {"[[redirect]]\nfrom = \"/a\"\nto = \"/\\\\evil.example\"\n",
         "line 3, column 6: 'redirect[1].to': '/\\evil.example' holds '\\', which browsers read "
         "as '/'"},
        {"[[redirect]]\nfrom = \"/a\"\nto = \"javascript:alert(1)\"\n",
         "line 3, column 6: 'redirect[1].to': 'javascript:alert(1)' must be a path (/new) or an "
         "http:// or https:// URL"},
        {"[[redirect]]\nfrom = \"/a\"\nto = \"https://\"\n",
         "line 3, column 6: 'redirect[1].to': 'https://' names no host (or hides it after '@')"},
        {"[[redirect]]\nfrom = \"/a\"\nto = \"https://good.example@evil.example/\"\n",
         "line 3, column 6: 'redirect[1].to': 'https://good.example@evil.example/' names no "
         "host (or hides it after '@')"},
        {"[[redirect]]\nfrom = \"/a\"\nto = \"\"\n",
         "line 3, column 6: 'redirect[1].to': an empty target"},
        {"[[redirect]]\nfrom = \"/blog/\"\nto = \"/news\"\n",
         "line 3, column 6: 'redirect[1].to': '/news' must end in '/' as 'from' does (the rest "
         "of the path is appended)"},
        {"[[redirect]]\nfrom = \"/a\"\nto = \"/b\"\nstatus = 303\n",
         "line 4, column 10: 'redirect[1].status': 303 is not 301, 302, 307 or 308"},
        {"[[redirect]]\nfrom = \"/a\"\nto = \"/b\"\nstatus = \"301\"\n",
         "line 4, column 10: 'redirect[1].status' must be an integer (301, 302, 307 or 308), "
         "not a string"},
        {"[[redirect]]\nfrom = \"/a\"\nto = \"/b\"\ncode = 301\n",
         "line 4, column 1: unknown key 'redirect[1].code' ([[redirect]] has from, to and "
         "status)"},
        {"[[redirect]]\nfrom = \"/a\"\nto = \"/b\"\n[[redirect]]\nfrom = \"/a\"\nto = \"/c\"\n",
         "line 5, column 8: 'redirect[2].from': '/a' is also redirect[1]'s 'from'"},
        {"redirect = { from = \"/a\", to = \"/b\" }\n",
         "line 1, column 12: 'redirect' must be an array of tables ([[redirect]]), not a table"},
        // [cors]
        {"[cors]\nmethods = [\"GET\"]\n",
         "line 1, column 1: 'cors' needs 'origins' (\"*\" or a list of origins)"},
        {"cors = [\"*\"]\n",
         "line 1, column 8: 'cors' must be a table ([cors]), not an array of "
         "strings"},
        {"[cors]\norigins = []\n", "line 2, column 11: 'cors.origins': an empty list"},
        {"[cors]\norigins = [\"*\", \"https://a.example\"]\n",
         "line 2, column 11: 'cors.origins': '*' stands alone, never beside origins"},
        {"[cors]\norigins = [\"https://a.example/\"]\n",
         "line 2, column 11: 'cors.origins': 'https://a.example/' has a path; an origin is "
         "scheme://host[:port], no '/' after"},
        {"[cors]\norigins = [\"a.example\"]\n",
         "line 2, column 11: 'cors.origins': 'a.example' is not an origin (\"*\" or "
         "http(s)://host[:port], as https://app.example)"},
        {"[cors]\norigins = [\"null\"]\n",
         "line 2, column 11: 'cors.origins': 'null' is not an origin (\"*\" or "
         "http(s)://host[:port], as https://app.example)"},
        {"[cors]\norigins = [\"https://a.example:99999\"]\n",
         "line 2, column 11: 'cors.origins': 'https://a.example:99999' is not an origin (\"*\" "
         "or http(s)://host[:port], as https://app.example)"},
        {"[cors]\norigins = [1]\n",
         "line 2, column 11: 'cors.origins' must be an array of strings or a string (\"a,b\"), "
         "not an array of integers"},
        {"[cors]\norigins = \"*\"\nmethods = [\"GET\", \"BAD METHOD\"]\n",
         "line 3, column 11: 'cors.methods': 'BAD METHOD' is not a token (letters, digits and "
         "!#$%&'*+-.^_`|~)"},
        {"[cors]\norigins = \"*\"\nheaders = [\"X-A\\n\"]\n",
         "line 3, column 11: 'cors.headers': 'X-A\\n' is not a token (letters, digits and "
         "!#$%&'*+-.^_`|~)"},
        {"[cors]\norigins = \"*\"\nmax-age = \"1500ms\"\n",
         "line 3, column 11: 'cors.max-age': max-age is whole seconds (use e.g. 10m or 3600s)"},
        {"[cors]\norigins = \"*\"\nmax-age = \"soon\"\n",
         "line 3, column 11: 'cors.max-age': invalid duration 'soon' (use e.g. 10m, 3600s)"},
        {"[cors]\norigins = \"*\"\nmax-age = true\n",
         "line 3, column 11: 'cors.max-age' must be an integer (seconds) or a string such as "
         "\"10m\", not a boolean"},
        {"[cors]\norigins = \"*\"\ncredentials = true\n",
         "line 3, column 1: unknown key 'cors.credentials' ([cors] has origins, methods, headers "
         "and max-age)"},
    }));
    CAPTURE(text);
    CHECK(refusal(dir, text) == tail);
}

TEST_CASE("a message quotes at most 80 bytes of a value", "[cli][file][tables]") {
    TempDir dir;
    const std::string long_value = std::string(100, 'a') + "\r";
    const auto file = dir.write("c.toml", "[[headers]]\nmatch = \"/\"\nset = { X = \"" +
                                              long_value.substr(0, 100) + "\\r\" }\n");
    const auto r = parse({"--config", file});
    CHECK(r.message == "--config '" + file + "' line 3, column 13: 'headers[1].set.X': '" +
                           std::string(80, 'a') +
                           "...' holds CR or LF (it would split the response)");
}
