// Header injection through the configuration (issue 16, "Tests"): a value with CR, LF or NUL,
// or a header polyhttpd owns, is refused when the file is loaded, inside a [[site]] as at the
// top level, with its file, line and key; redirect statuses are 301, 302, 307 and 308 only.
#include <string>

#include <catch2/catch.hpp>

#include "cli_fixture.hpp"

using namespace cli_test;

namespace {

const std::string site = "[[site]]\nhosts = \"a.example\"\n";

}  // namespace

TEST_CASE("a site's tables refuse CR, LF, NUL and owned names, placed", "[cli][file][sites]") {
    TempDir dir;
    using Case = std::pair<std::string, std::string>;
    const auto [text, tail] = GENERATE(values<Case>({
        {site + "[[site.headers]]\nmatch = \"/\"\nset = { X = \"a\\rb\" }\n",
         "line 5, column 13: 'site[1].headers[1].set.X': 'a\\rb' holds CR or LF (it would split "
         "the response)"},
        {site + "[[site.headers]]\nmatch = \"/\"\nset = { X = \"\"\"\na\nb\"\"\" }\n",
         "line 5, column 13: 'site[1].headers[1].set.X': 'a\\nb' holds CR or LF (it would split "
         "the response)"},
        {site + "[[site.headers]]\nmatch = \"/\"\nset = { X = \"a\\u0000\" }\n",
         "line 5, column 13: 'site[1].headers[1].set.X': 'a\\x00' holds a control byte (only "
         "tab is allowed)"},
        {site + "[[site.headers]]\nmatch = \"/\"\nset = { \"X\\u0000Y\" = \"1\" }\n",
         "line 5, column 9: 'site[1].headers[1].set.X\\x00Y': 'X\\x00Y' is not a header name "
         "(letters, digits and !#$%&'*+-.^_`|~)"},
        {site + "[[site.headers]]\nmatch = \"/\"\nset = { \"X\\r\\nY\" = \"1\" }\n",
         "line 5, column 9: 'site[1].headers[1].set.X\\r\\nY': 'X\\r\\nY' is not a header name "
         "(letters, digits and !#$%&'*+-.^_`|~)"},
        {site + "[[site.headers]]\nmatch = \"/\"\nset = { transfer-encoding = \"chunked\" }\n",
         "line 5, column 9: 'site[1].headers[1].set.transfer-encoding': 'transfer-encoding' is "
         "set by polyhttpd itself"},
        {site + "[[site.headers]]\nmatch = \"/\"\nset = { LOCATION = \"https://evil/\" }\n",
         "line 5, column 9: 'site[1].headers[1].set.LOCATION': 'LOCATION' is set by polyhttpd "
         "itself"},
        {site + "[[site.headers]]\nmatch = \"/a\\nb\"\nset = { X = \"1\" }\n",
         "line 4, column 9: 'site[1].headers[1].match': '/a\\nb' holds a control byte"},
        {site + "error-pages = { 404 = \"/a\\r\\nb.html\" }\n",
         "line 3, column 23: 'site[1].error-pages.404': '/a\\r\\nb.html' holds NUL, CR or LF"},
        {site + "fallback = \"/index.html\\u0000\"\n",
         "line 3, column 12: 'site[1].fallback': '/index.html\\x00' holds NUL, CR or LF"},
        {"[[headers]]\nmatch = \"/\"\nset = { \"A\\tB\" = \"1\", \"X\\nY\" = \"1\" }\n",
         "line 3, column 9: 'headers[1].set.A\\tB': 'A\\tB' is not a header name (letters, "
         "digits and !#$%&'*+-.^_`|~)"},
        {"[[headers]]\nmatch = \"/\"\nset = { \"\\u00e9t\\u00e9\" = \"1\" }\n",
         "line 3, column 9: 'headers[1].set.\u00e9t\u00e9': '\u00e9t\u00e9' is not a header "
         "name (letters, digits and !#$%&'*+-.^_`|~)"},
        {site + "[[site.redirect]]\nfrom = \"/a\"\nto = \"/b\\nSet-Cookie: x=1\"\n",
         "line 5, column 6: 'site[1].redirect[1].to': '/b\\nSet-Cookie: x=1' holds a space or a "
         "control byte (percent-encode it: %20)"},
        {site + "[[site.redirect]]\nfrom = \"/a\"\nto = \"/b\\u0000\"\n",
         "line 5, column 6: 'site[1].redirect[1].to': '/b\\x00' holds a space or a control byte "
         "(percent-encode it: %20)"},
        {site + "[site.cors]\norigins = [\"https://a.example\\r\\nX: y\"]\n",
         "line 4, column 11: 'site[1].cors.origins': 'https://a.example\\r\\nx: y' is not an "
         "origin (\"*\" or http(s)://host[:port], as https://app.example)"},
        {site + "[site.cors]\norigins = \"*\"\nheaders = [\"X\\u0000\"]\n",
         "line 5, column 11: 'site[1].cors.headers': 'X\\x00' is not a token (letters, digits "
         "and !#$%&'*+-.^_`|~)"},
    }));
    CAPTURE(text);
    CHECK(refusal(dir, text) == tail);
}

TEST_CASE("redirect statuses are 301, 302, 307 and 308 only", "[cli][file][tables]") {
    TempDir dir;
    const std::string rule = "[[redirect]]\nfrom = \"/a\"\nto = \"/b\"\nstatus = ";
    for (const int status : {301, 302, 307, 308}) {
        INFO(status);
        const auto r = parse({"--config", dir.write("ok.toml", rule + std::to_string(status))});
        REQUIRE(r.action == config::Action::serve);
        CHECK(r.cfg.redirects.at(0).status == static_cast<unsigned>(status));
    }
    for (const int status : {0, 200, 300, 303, 304, 305, 306, 309, 404, -301, 65837}) {
        INFO(status);
        CHECK(refusal(dir, rule + std::to_string(status) + "\n") ==
              "line 4, column 10: 'redirect[1].status': " + std::to_string(status) +
                  " is not 301, 302, 307 or 308");
    }
    CHECK(refusal(dir, site + "[[site.redirect]]\nfrom = \"/a\"\nto = \"/b\"\nstatus = 303\n") ==
          "line 6, column 10: 'site[1].redirect[1].status': 303 is not 301, 302, 307 or 308");
}
