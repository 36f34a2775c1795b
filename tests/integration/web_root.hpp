// WebRoot: a temporary document root with known contents, created once per test run
// (web_root()) and removed at exit. Layout, beneath BASE = /tmp/polyhttpd-itest-XXXXXX:
//   BASE/secret.txt              outside the root: must never be served
//   BASE/www/                    the root
//     index.html                 small HTML page (index_body)
//     page.html                  exactly 679 bytes (page_body)
//     big.bin                    1 MiB of a non-repeating pattern (big_body)
//     f00.txt .. f19.txt         small distinct files (numbered_body(i)), for pipelining
//     style.css, style.css.gz    a file and its precompressed sibling (distinct bytes)
//     dir/index.html             directory with an index (dir_index_body)
//     dir-noindex/file.txt       directory without one (also holds "<i>x&y.txt")
//     .hidden                    dotfile
//     .well-known/x              always served, hidden or not
//     passwd-link -> /etc/passwd      symlink out of the root (absolute)
//     outside-link -> ../secret.txt   symlink out of the root (relative)
//     outside-dir-link -> ..          symlink to the directory above the root
// Read-only after construction, safe to read from any thread; only test_symlink_swap.cpp
// adds entries of its own (swap*) while it runs, and removes them.
#pragma once

#include <cstddef>
#include <string>

namespace itest {

class WebRoot {
public:
    WebRoot();  // throws std::runtime_error on I/O failure
    WebRoot(const WebRoot&) = delete;
    WebRoot& operator=(const WebRoot&) = delete;
    ~WebRoot();

    [[nodiscard]] const std::string& path() const noexcept { return root_; }
    [[nodiscard]] const std::string& base() const noexcept { return base_; }

    static constexpr std::size_t page_size = 679;
    static constexpr std::size_t big_size = 1024 * 1024;
    static constexpr int numbered_files = 20;

    std::string index_body;
    std::string page_body;
    std::string big_body;
    std::string style_body;
    std::string style_gz_body;
    std::string dir_index_body;
    std::string secret_body;  // contains "root:x:0:0", like /etc/passwd
    [[nodiscard]] static std::string numbered_body(int i);
    [[nodiscard]] static std::string numbered_path(int i);  // "/f07.txt"

private:
    void write(const std::string& rel, const std::string& content) const;
    std::string base_;
    std::string root_;
};

const WebRoot& web_root();

}  // namespace itest
