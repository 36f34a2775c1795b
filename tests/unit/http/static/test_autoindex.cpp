// Autoindex: listing what the handler would serve, sorting it, and rendering it as HTML or
// JSON without letting a file name inject markup, a URL scheme or broken JSON.
#include <fcntl.h>

#include <algorithm>
#include <cmath>

#include <catch2/catch.hpp>

#include "base/unique_fd.hpp"
#include "http/static/listing/autoindex.hpp"
#include "unit/http/static_site.hpp"

namespace {

std::vector<http::DirEntry> sample() {
    std::vector<http::DirEntry> v;
    v.push_back({"zeta.txt", false, 5, 0});
    v.push_back({"Alpha", true, 0, 0});
    v.push_back({"<script>&\".html", false, 1, 86400});
    v.push_back({"javascript:alert(1)", false, 2, 0});
    v.push_back({"beta", true, 0, 0});
    v.push_back({"a b'c", false, 3, 0});
    return v;
}

std::string render(std::vector<http::DirEntry>& entries, const http::ListingOptions& o,
                   std::string_view path = "/d/") {
    std::string out;
    http::render_listing(path, o, entries, out);
    return out;
}

std::string order_of(std::vector<http::DirEntry> entries, http::SortKey key, bool desc) {
    http::ListingOptions o;
    o.sort = key;
    o.descending = desc;
    render(entries, o);
    std::string names;
    for (const auto& e : entries) names += e.name + " ";
    return names;
}

std::string human(std::uint64_t n) {
    std::string s;
    http::append_human_size(s, n);
    return s;
}

std::string json_escaped(std::string_view s) {
    std::string out;
    http::append_json_escaped(out, s);
    return out;
}

bool contains(const std::string& page, std::string_view what) {
    return page.find(what) != std::string::npos;
}

}  // namespace

TEST_CASE("autoindex: html escaping") {
    std::string out;
    http::append_html_escaped(out, "<a href=\"x\">'&'</a>");
    CHECK(out == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST_CASE("autoindex: sort orders, directories always first") {
    // Directories: d1 (old), d2 (new). Files: sizes and times chosen so that each key gives
    // a different order, with ties on size (b, c) and on time (a, c) broken by name.
    std::vector<http::DirEntry> v;
    v.push_back({"c", false, 10, 300});
    v.push_back({"d2", true, 0, 500});
    v.push_back({"a", false, 50, 300});
    v.push_back({"b", false, 10, 100});
    v.push_back({"d1", true, 0, 400});
    v.push_back({"e", false, 70, 200});
    using K = http::SortKey;
    CHECK(order_of(v, K::name, false) == "d1 d2 a b c e ");
    CHECK(order_of(v, K::name, true) == "d2 d1 e c b a ");
    CHECK(order_of(v, K::size, false) == "d1 d2 b c a e ");  // b, c tie at 10: by name
    CHECK(order_of(v, K::size, true) == "d1 d2 e a b c ");   // ties stay ascending by name
    CHECK(order_of(v, K::date, false) == "d1 d2 b e a c ");  // a, c tie at 300
    CHECK(order_of(v, K::date, true) == "d2 d1 a c e b ");
}

TEST_CASE("autoindex: name order is bytewise") {
    std::vector<http::DirEntry> v = sample();
    render(v, {});
    std::string names;
    for (const auto& e : v) names += e.name + "|";
    CHECK(names == "Alpha|beta|<script>&\".html|a b'c|javascript:alert(1)|zeta.txt|");
}

TEST_CASE("autoindex: html page") {
    std::vector<http::DirEntry> entries = sample();
    const std::string page = render(entries, {}, "/d<ir>/");

    SECTION("names escaped for display, percent-encoded in hrefs") {
        CHECK_FALSE(contains(page, "<script>"));
        CHECK(contains(page, ">&lt;script&gt;&amp;&quot;.html</a>"));
        CHECK(contains(page, "href=\"%3Cscript%3E%26%22.html\""));
        CHECK(contains(page, "href=\"javascript%3Aalert%281%29\""));
        CHECK(contains(page, "href=\"a%20b%27c\""));
        CHECK(contains(page, ">a b&#39;c</a>"));
        CHECK(page.find("href=\"Alpha/\"") < page.find("href=\"beta/\""));
    }
    SECTION("title escaped, parent link, charset") {
        CHECK(contains(page, "<title>Index of /d&lt;ir&gt;/</title>"));
        CHECK(contains(page, "<h1>Index of /d&lt;ir&gt;/</h1>"));
        CHECK(contains(page, "href=\"../\""));
        CHECK(contains(page, "<meta charset=\"utf-8\">"));
    }
    SECTION("sizes right-aligned, human-readable, exact on hover; times in their column") {
        CHECK(contains(page, "th.s,td.s{text-align:right}"));
        CHECK(contains(page,
                       ">zeta.txt</a></td><td class=\"s\" title=\"5 bytes\">5</td>"
                       "<td class=\"m\">1970-01-01 00:00</td>"));
        CHECK(contains(page, ">Alpha/</a></td><td class=\"s\">-</td><td class=\"m\">"));
        CHECK(contains(page, "<td class=\"m\">1970-01-02 00:00</td>"));
    }
    SECTION("column headers link to the sorts; the current one to the other order") {
        CHECK(contains(page, "<th><a href=\"?sort=name&amp;order=desc\">Name</a> &#9650;</th>"));
        CHECK(contains(page, "<th class=\"s\"><a href=\"?sort=size&amp;order=asc\">Size</a></th>"));
        CHECK(contains(page, "<th><a href=\"?sort=date&amp;order=asc\">Last modified</a></th>"));
        http::ListingOptions o;
        o.sort = http::SortKey::size;
        o.descending = true;
        std::vector<http::DirEntry> again = sample();
        const std::string by_size = render(again, o);
        CHECK(contains(by_size, "<a href=\"?sort=size&amp;order=asc\">Size</a> &#9660;</th>"));
        CHECK(contains(by_size, "<th><a href=\"?sort=name&amp;order=asc\">Name</a></th>"));
    }
}

TEST_CASE("autoindex: '%', '?' and '#' in names link to the file, not a query") {
    std::vector<http::DirEntry> v{{"100%?x=1#y", false, 1, 0}, {"a%2Fb", true, 0, 0}};
    const std::string page = render(v, {});
    CHECK(contains(page, "href=\"100%25%3Fx%3D1%23y\">100%?x=1#y</a>"));
    CHECK(contains(page, "href=\"a%252Fb/\">a%2Fb/</a>"));  // never decoded as a slash
}

TEST_CASE("autoindex: an empty directory") {
    std::vector<http::DirEntry> none;
    const std::string root_page = render(none, {}, "/");
    CHECK_FALSE(contains(root_page, "href=\"../\""));  // no parent above the root
    CHECK(contains(root_page, "Index of /<"));
    CHECK(contains(root_page, "</tr>\n</table>"));  // the header row and nothing else
    http::ListingOptions json;
    json.format = http::ListingFormat::json;
    CHECK(render(none, json) == "[\n]\n");
}

TEST_CASE("autoindex: human-readable sizes") {
    CHECK(human(0) == "0");
    CHECK(human(1023) == "1023");
    CHECK(human(1024) == "1.0K");
    CHECK(human(1229) == "1.2K");
    CHECK(human(1280) == "1.3K");   // 1.25: half rounds up
    CHECK(human(10188) == "9.9K");  // 9.949
    CHECK(human(10189) == "10K");   // 9.950 would print "10.0": integers from ten
    CHECK(human(35 * 1024 * 1024 - 1) == "35M");
    CHECK(human(34 * 1024 * 1024 + 400 * 1024) == "34M");
    CHECK(human(1024 * 1024 - 1) == "1.0M");  // 1023.999K rolls over to the next unit
    CHECK(human(1536ull << 20) == "1.5G");
    CHECK(human(5ull << 40) == "5.0T");
    CHECK(human(UINT64_MAX) == "16E");  // the largest unit takes what is left
}

TEST_CASE("autoindex: json escaping") {
    CHECK(json_escaped("plain.txt") == "plain.txt");
    CHECK(json_escaped("q\"b\\s/") == "q\\\"b\\\\s/");
    CHECK(json_escaped(std::string_view("\n\t\x01\x1f\x7f", 5)) ==
          "\\u000a\\u0009\\u0001\\u001f\x7f");
    CHECK(json_escaped("<script>") == "<script>");  // served as application/json: no markup
    // Valid UTF-8 (2, 3 and 4 bytes) passes through untouched.
    CHECK(json_escaped("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") ==
          "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    // Each byte of an invalid sequence is replaced, the bytes after it are kept.
    CHECK(json_escaped("a\xff"
                       "b") == "a\\ufffdb");
    CHECK(json_escaped("\xc3") == "\\ufffd");                                   // truncated
    CHECK(json_escaped("\xc0\xaf") == "\\ufffd\\ufffd");                        // overlong '/'
    CHECK(json_escaped("\xed\xa0\x80") == "\\ufffd\\ufffd\\ufffd");             // a surrogate
    CHECK(json_escaped("\xf4\x90\x80\x80") == "\\ufffd\\ufffd\\ufffd\\ufffd");  // > U+10FFFF
}

TEST_CASE("autoindex: json listing") {
    std::vector<http::DirEntry> v{{"sub", true, 0, 1796144520},
                                  {"a \"q\".txt", false, 1234, 0},
                                  {"bad\xff", false, 7, 86400}};
    http::ListingOptions o;
    o.format = http::ListingFormat::json;
    CHECK(render(v, o) ==
          "[\n"
          "{\"name\":\"sub\",\"type\":\"directory\",\"mtime\":\"2026-12-01T17:02:00Z\","
          "\"url\":\"sub/\"},\n"
          "{\"name\":\"a \\\"q\\\".txt\",\"type\":\"file\",\"size\":1234,"
          "\"mtime\":\"1970-01-01T00:00:00Z\",\"url\":\"a%20%22q%22.txt\"},\n"
          "{\"name\":\"bad\\ufffd\",\"type\":\"file\",\"size\":7,"
          "\"mtime\":\"1970-01-02T00:00:00Z\",\"url\":\"bad%FF\"}\n"
          "]\n");
}

TEST_CASE("autoindex: 10,000 entries in one pass, n log n comparisons") {
    std::vector<http::DirEntry> v;
    constexpr std::size_t n = 10'000;
    for (std::size_t i = 0; i < n; ++i) {
        // A scrambled order, with many equal sizes and times to exercise the ties.
        const std::size_t k = (i * 7919) % n;
        v.push_back(
            {"file-" + std::to_string(k), k % 10 == 0, k % 97, static_cast<time_t>(k % 13)});
    }
    const auto format = GENERATE(http::ListingFormat::html, http::ListingFormat::json);
    const auto key = GENERATE(http::SortKey::name, http::SortKey::size, http::SortKey::date);
    http::ListingOptions o;
    o.format = format;
    o.sort = key;
    std::string out;
    http::ListingStats stats;
    http::render_listing("/big/", o, v, out, &stats);
    CHECK(stats.rows == n);
    const double n_log_n = n * std::log2(static_cast<double>(n));  // ~133,000
    CHECK(static_cast<double>(stats.comparisons) < 4 * n_log_n);   // n^2/2 would be 50 million
    CHECK(stats.reallocations == 0);  // the page was reserved once, up front
    CHECK(std::is_sorted(v.begin(), v.end(), [](const auto& a, const auto& b) {
        return a.is_dir && !b.is_dir;  // directories first, whatever the key
    }));
}

TEST_CASE("autoindex: listing a directory") {
    const bool walk = GENERATE(false, true);
    test::WalkMode mode(walk);
    test::TempRoot t;
    t.file("outside/secret.txt", "SECRET!");
    t.dir("root/d");
    t.file("root/d/file.txt", "12345");
    t.dir("root/d/sub");
    t.file("root/d/.dot", "x");
    t.dir("root/d/.well-known");
    t.fifo("root/d/fifo");
    t.link("file.txt", "root/d/link_file");
    t.link("sub", "root/d/link_dir");
    t.link("../../outside/secret.txt", "root/d/escape");
    t.link(t.path("outside/secret.txt"), "root/d/absolute");
    t.link("nowhere", "root/d/dangling");
    const poly::UniqueFd root(::open(t.root().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    const poly::UniqueFd dir(::open(t.path("root/d").c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(root);
    REQUIRE(dir);

    auto names = [&](bool hidden) {
        std::vector<http::DirEntry> entries;
        REQUIRE(http::list_directory(root.get(), "/d/", dir.get(), hidden, entries) == 0);
        std::sort(entries.begin(), entries.end(),
                  [](const auto& a, const auto& b) { return a.name < b.name; });
        std::string joined;
        for (const auto& e : entries) {
            joined += e.name + (e.is_dir ? "/" : "") + ":" + std::to_string(e.size) + " ";
        }
        return joined;
    };
    // ".well-known" is always served, so it is always listed; other dotfiles follow `hidden`.
    CHECK(names(false) == ".well-known/:0 file.txt:5 link_dir/:0 link_file:5 sub/:0 ");
    CHECK(names(true) == ".dot:1 .well-known/:0 file.txt:5 link_dir/:0 link_file:5 sub/:0 ");

    // Listing twice from the same fd works: the listing reads through its own description.
    CHECK(names(false) == ".well-known/:0 file.txt:5 link_dir/:0 link_file:5 sub/:0 ");
}
