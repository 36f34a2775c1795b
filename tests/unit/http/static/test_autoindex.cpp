// Autoindex: listing what the handler would serve, and rendering it without letting a file
// name inject markup or a URL scheme.
#include <fcntl.h>

#include <algorithm>

#include <catch2/catch.hpp>

#include "base/unique_fd.hpp"
#include "http/static/autoindex.hpp"
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

}  // namespace

TEST_CASE("autoindex: html escaping") {
    std::string out;
    http::append_html_escaped(out, "<a href=\"x\">'&'</a>");
    CHECK(out == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;");
}

TEST_CASE("autoindex: rendering") {
    std::vector<http::DirEntry> entries = sample();
    std::string page;
    render_autoindex("/d<ir>/", entries, page);

    SECTION("sorted: directories first, then bytewise by name") {
        REQUIRE(entries.size() == 6);
        CHECK(entries[0].name == "Alpha");
        CHECK(entries[1].name == "beta");
        CHECK(entries[2].name == "<script>&\".html");
        CHECK(entries[3].name == "a b'c");
        CHECK(entries[4].name == "javascript:alert(1)");
        CHECK(entries[5].name == "zeta.txt");
        CHECK(page.find("href=\"Alpha/\"") < page.find("href=\"beta/\""));
        CHECK(page.find("href=\"beta/\"") < page.find("href=\"%3Cscript"));
    }
    SECTION("names escaped for display, percent-encoded in hrefs") {
        CHECK(page.find("<script>") == std::string::npos);
        CHECK(page.find(">&lt;script&gt;&amp;&quot;.html</a>") != std::string::npos);
        CHECK(page.find("href=\"%3Cscript%3E%26%22.html\"") != std::string::npos);
        CHECK(page.find("href=\"javascript%3Aalert%281%29\"") != std::string::npos);
        CHECK(page.find("href=\"a%20b%27c\"") != std::string::npos);
        CHECK(page.find(">a b&#39;c</a>") != std::string::npos);
    }
    SECTION("title escaped, parent link, sizes and dates, charset") {
        CHECK(page.find("<title>Index of /d&lt;ir&gt;/</title>") != std::string::npos);
        CHECK(page.find("href=\"../\"") != std::string::npos);
        CHECK(page.find("<meta charset=\"utf-8\">") != std::string::npos);
        CHECK(page.find(">zeta.txt</a></td><td>5</td><td>1970-01-01 00:00</td>") !=
              std::string::npos);
        CHECK(page.find(">Alpha/</a></td><td>-</td>") != std::string::npos);
        CHECK(page.find("<td>1970-01-02 00:00</td>") != std::string::npos);
    }
    SECTION("no parent link at the root") {
        std::vector<http::DirEntry> none;
        std::string root_page;
        render_autoindex("/", none, root_page);
        CHECK(root_page.find("href=\"../\"") == std::string::npos);
        CHECK(root_page.find("Index of /<") != std::string::npos);
    }
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
    CHECK(names(false) == "file.txt:5 link_dir/:0 link_file:5 sub/:0 ");
    CHECK(names(true) == ".dot:1 file.txt:5 link_dir/:0 link_file:5 sub/:0 ");

    // Listing twice from the same fd works: the listing reads through its own description.
    CHECK(names(false) == "file.txt:5 link_dir/:0 link_file:5 sub/:0 ");
}
