// MimeTypes: built-in table, charset on text types, case-insensitivity, mime.types loading.
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <string>

#include <catch2/catch.hpp>

#include "http/static/mime.hpp"

using http::is_text_type;
using http::MimeTypes;

namespace {

// A mime.types file in /tmp, removed when the test ends.
struct TempFile {
    std::string path;
    explicit TempFile(const std::string& content) {
        char tmpl[] = "/tmp/polyhttpd_mime_XXXXXX";
        const int fd = mkstemp(tmpl);
        REQUIRE(fd >= 0);
        close(fd);
        path = tmpl;
        std::ofstream(path) << content;
    }
    ~TempFile() { std::remove(path.c_str()); }
};

}  // namespace

TEST_CASE("mime: built-in table", "[mime]") {
    const MimeTypes m;
    struct {
        const char* file;
        const char* type;
    } const cases[] = {
        {"index.html", "text/html; charset=utf-8"},
        {"a.htm", "text/html; charset=utf-8"},
        {"a.xhtml", "application/xhtml+xml; charset=utf-8"},
        {"style.css", "text/css; charset=utf-8"},
        {"app.js", "text/javascript; charset=utf-8"},
        {"mod.mjs", "text/javascript; charset=utf-8"},
        {"data.json", "application/json; charset=utf-8"},
        {"app.js.map", "application/json; charset=utf-8"},
        {"site.webmanifest", "application/manifest+json; charset=utf-8"},
        {"d.jsonld", "application/ld+json; charset=utf-8"},
        {"logo.svg", "image/svg+xml; charset=utf-8"},
        {"a.xml", "application/xml; charset=utf-8"},
        {"a.txt", "text/plain; charset=utf-8"},
        {"README.md", "text/markdown; charset=utf-8"},
        {"a.csv", "text/csv; charset=utf-8"},
        {"a.ics", "text/calendar; charset=utf-8"},
        {"a.py", "text/x-python; charset=utf-8"},
        {"a.c", "text/x-csrc; charset=utf-8"},
        {"a.h", "text/x-chdr; charset=utf-8"},
        {"a.cpp", "text/x-c++src; charset=utf-8"},
        {"a.sh", "text/x-shellscript; charset=utf-8"},
        {"a.png", "image/png"},
        {"a.jpg", "image/jpeg"},
        {"a.jpeg", "image/jpeg"},
        {"a.gif", "image/gif"},
        {"a.webp", "image/webp"},
        {"a.avif", "image/avif"},
        {"favicon.ico", "image/vnd.microsoft.icon"},
        {"a.bmp", "image/bmp"},
        {"a.tif", "image/tiff"},
        {"a.tiff", "image/tiff"},
        {"a.wasm", "application/wasm"},
        {"a.woff", "font/woff"},
        {"a.woff2", "font/woff2"},
        {"a.ttf", "font/ttf"},
        {"a.otf", "font/otf"},
        {"a.eot", "application/vnd.ms-fontobject"},
        {"a.pdf", "application/pdf"},
        {"a.zip", "application/zip"},
        {"a.tar.gz", "application/gzip"},
        {"a.br", "application/x-brotli"},
        {"a.tar", "application/x-tar"},
        {"a.mp3", "audio/mpeg"},
        {"a.ogg", "audio/ogg"},
        {"a.oga", "audio/ogg"},
        {"a.wav", "audio/wav"},
        {"a.flac", "audio/flac"},
        {"a.m4a", "audio/mp4"},
        {"a.mp4", "video/mp4"},
        {"a.m4v", "video/mp4"},
        {"a.webm", "video/webm"},
        {"a.ogv", "video/ogg"},
        {"a.mov", "video/quicktime"},
        {"a.mkv", "video/matroska"},
        {"feed.rss", "application/rss+xml"},
        {"feed.atom", "application/atom+xml"},
        {"a.yaml", "application/yaml"},
        {"a.yml", "application/yaml"},
        {"a.toml", "application/toml"},
    };
    for (const auto& c : cases) {
        INFO(c.file);
        CHECK(m.content_type(c.file) == c.type);
    }
}

TEST_CASE("mime: extension rules", "[mime]") {
    const MimeTypes m;
    CHECK(m.content_type("INDEX.HTML") == "text/html; charset=utf-8");
    CHECK(m.content_type("Photo.JpEg") == "image/jpeg");
    CHECK(m.content_type("/dir/sub/page.html") == "text/html; charset=utf-8");
    CHECK(m.content_type("/dir.html/noext") == "application/octet-stream");  // final segment
    CHECK(m.content_type("/dir.png/") == "application/octet-stream");
    CHECK(m.content_type("archive.html.gz") == "application/gzip");  // last dot
    CHECK(m.content_type("Makefile") == "application/octet-stream");
    CHECK(m.content_type(".bashrc") == "application/octet-stream");
    CHECK(m.content_type("/home/.html") == "application/octet-stream");
    CHECK(m.content_type("trailing.") == "application/octet-stream");
    CHECK(m.content_type("") == "application/octet-stream");
    CHECK(m.content_type("a.unknownext") == "application/octet-stream");
    CHECK(m.content_type("a.averyveryverylongextension") == "application/octet-stream");
    CHECK(m.content_type(".config.json") == "application/json; charset=utf-8");
}

TEST_CASE("mime: lookups return views into stable storage", "[mime]") {
    const MimeTypes m;
    const auto a = m.content_type("x.css");
    const auto b = m.content_type("other/y.CSS");
    CHECK(a.data() == b.data());  // the same table entry, not a per-call string
}

TEST_CASE("mime: is_text_type", "[mime]") {
    CHECK(is_text_type("text/html"));
    CHECK(is_text_type("text/plain"));
    CHECK(is_text_type("TEXT/CSS"));
    CHECK(is_text_type("text/html; charset=utf-8"));
    CHECK(is_text_type("application/javascript"));
    CHECK(is_text_type("application/json"));
    CHECK(is_text_type("application/xml"));
    CHECK(is_text_type("application/xhtml+xml"));
    CHECK(is_text_type("application/manifest+json"));
    CHECK(is_text_type("image/svg+xml"));
    CHECK_FALSE(is_text_type("image/png"));
    CHECK_FALSE(is_text_type("application/octet-stream"));
    CHECK_FALSE(is_text_type("application/pdf"));
    CHECK_FALSE(is_text_type("font/woff2"));
    CHECK_FALSE(is_text_type("video/mp4"));
    CHECK_FALSE(is_text_type("text/"));
    CHECK_FALSE(is_text_type("textual/x"));
    CHECK_FALSE(is_text_type(""));
}

TEST_CASE("mime: load_file adds entries, built-in wins", "[mime]") {
    TempFile f(
        "# a comment line\n"
        "\n"
        "application/javascript\t\tjs mjs\n"
        "application/x-polytest\tpolytest PT2   # trailing comment\n"
        "text/x-polytext ptxt\n"
        "image/x-pimg pimg\n"
        "application/x-second polytest\n"
        "nonsense-without-slash foo\n");
    MimeTypes m;
    REQUIRE(m.content_type("a.polytest") == "application/octet-stream");
    REQUIRE(m.load_file(f.path));
    CHECK(m.content_type("a.polytest") == "application/x-polytest");
    CHECK(m.content_type("a.POLYTEST") == "application/x-polytest");
    CHECK(m.content_type("a.pt2") == "application/x-polytest");
    CHECK(m.content_type("a.ptxt") == "text/x-polytext; charset=utf-8");
    CHECK(m.content_type("a.pimg") == "image/x-pimg");
    CHECK(m.content_type("a.foo") == "application/octet-stream");
    CHECK(m.content_type("a.js") == "text/javascript; charset=utf-8");
    CHECK(m.content_type("a.mjs") == "text/javascript; charset=utf-8");
}

TEST_CASE("mime: load_file on the system file and on a missing one", "[mime]") {
    MimeTypes m;
    CHECK_FALSE(m.load_file("/nonexistent/polyhttpd/mime.types"));
    CHECK(m.content_type("a.html") == "text/html; charset=utf-8");
    if (std::ifstream("/etc/mime.types")) {
        CHECK(m.load_file("/etc/mime.types"));
        CHECK(m.content_type("a.js") == "text/javascript; charset=utf-8");
        CHECK(m.content_type("a.png") == "image/png");
    }
}
