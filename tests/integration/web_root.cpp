#include "web_root.hpp"

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>
#include <system_error>

namespace itest {
namespace {

namespace fs = std::filesystem;

// A linear congruential stream: no period shorter than the file, so a body served from the
// wrong offset can never match by accident.
std::string pattern(std::size_t n) {
    std::string s(n, '\0');
    std::uint32_t x = 0x2545F491u;
    for (auto& c : s) {
        x = x * 1103515245u + 12345u;
        c = static_cast<char>((x >> 16) & 0xffu);
    }
    return s;
}

std::string make_page() {
    const std::string head = "<!doctype html>\n<html><head><meta charset=\"utf-8\">"
                             "<title>page</title></head>\n<body>\n<p>";
    const std::string tail = "</p>\n</body></html>\n";
    std::string filler;
    for (std::size_t i = 0; filler.size() + head.size() + tail.size() < WebRoot::page_size; ++i)
        filler.push_back(static_cast<char>('a' + (i * 7) % 26));
    return head + filler + tail;
}

}  // namespace

WebRoot::WebRoot() {
    std::string tmpl = (fs::temp_directory_path() / "polyhttpd-itest-XXXXXX").string();
    if (::mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    base_ = tmpl;
    root_ = base_ + "/www";
    fs::create_directories(root_ + "/dir");
    fs::create_directories(root_ + "/dir-noindex");
    fs::create_directories(root_ + "/.well-known");

    index_body = "<!doctype html>\n<html><head><title>polyhttpd</title></head>\n"
                 "<body><h1>It works</h1></body></html>\n";
    page_body = make_page();
    big_body = pattern(big_size);
    style_body = "body { color: #123456; }\n/* plain */\n";
    style_gz_body = std::string("\x1f\x8b\x08\x00precompressed-stand-in", 26);
    dir_index_body = "<!doctype html>\n<title>dir</title>\n<p>dir index</p>\n";
    secret_body = "root:x:0:0:OUTSIDE THE ROOT, MUST NEVER BE SERVED\n";
    if (page_body.size() != page_size) throw std::logic_error("page.html size");

    write("/index.html", index_body);
    write("/page.html", page_body);
    write("/big.bin", big_body);
    for (int i = 0; i < numbered_files; ++i) write(numbered_path(i), numbered_body(i));
    write("/style.css", style_body);
    write("/style.css.gz", style_gz_body);
    write("/dir/index.html", dir_index_body);
    write("/dir-noindex/file.txt", "no index here\n");
    write("/dir-noindex/<i>x&y.txt", "markup in a name\n");
    write("/.hidden", "hidden root:x:0:0\n");
    write("/.well-known/x", "well-known\n");
    std::ofstream(base_ + "/secret.txt", std::ios::binary) << secret_body;
    fs::create_symlink("/etc/passwd", root_ + "/passwd-link");
    fs::create_symlink("../secret.txt", root_ + "/outside-link");
    fs::create_symlink("..", root_ + "/outside-dir-link");
}

WebRoot::~WebRoot() {
    std::error_code ec;
    fs::remove_all(base_, ec);  // does not follow the symlinks
}

void WebRoot::write(const std::string& rel, const std::string& content) const {
    std::ofstream f(root_ + rel, std::ios::binary | std::ios::trunc);
    f.write(content.data(), static_cast<std::streamsize>(content.size()));
    if (!f) throw std::runtime_error("cannot write " + root_ + rel);
}

std::string WebRoot::numbered_body(int i) {
    // Different lengths too, so a response attributed to the wrong request cannot fit.
    return "file " + std::to_string(i) + ": " + std::string(static_cast<std::size_t>(i * 3 + 1), '#') + "\n";
}

std::string WebRoot::numbered_path(int i) {
    return std::string("/f") + (i < 10 ? "0" : "") + std::to_string(i) + ".txt";
}

const WebRoot& web_root() {
    static const WebRoot root;
    return root;
}

}  // namespace itest
