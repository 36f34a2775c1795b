// TempRoot: a throwaway directory tree for filesystem tests, removed (symlinks not followed)
// when the object dies. Layout: <base>/root is meant as a web root and <base>/outside as the
// place a traversal must never reach. Every directory is 0755 so that a test child that drops
// to an unprivileged user can still traverse it. Helpers take paths relative to <base> and
// fail the test (via exceptions, Catch reports them) when the filesystem refuses.
#pragma once

#include <ftw.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <system_error>

namespace test {

class TempRoot {
public:
    TempRoot() {
        char tmpl[] = "/tmp/polyhttpd-test-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) fail("mkdtemp");
        base_ = tmpl;
        // mkdtemp makes it 0700: widen it so an unprivileged child can traverse.
        if (::chmod(base_.c_str(), 0755) != 0) fail("chmod " + base_);
        dir("root");
        dir("outside");
    }
    ~TempRoot() { ::nftw(base_.c_str(), remove_one, 16, FTW_DEPTH | FTW_PHYS); }
    TempRoot(const TempRoot&) = delete;
    TempRoot& operator=(const TempRoot&) = delete;

    [[nodiscard]] const std::string& base() const noexcept { return base_; }
    [[nodiscard]] std::string root() const { return base_ + "/root"; }
    [[nodiscard]] std::string path(std::string_view rel) const {
        return base_ + "/" + std::string(rel);
    }

    void dir(std::string_view rel, mode_t mode = 0755) const {
        const std::string p = path(rel);
        if (::mkdir(p.c_str(), mode) != 0) fail("mkdir " + p);
        if (::chmod(p.c_str(), mode) != 0) fail("chmod " + p);  // umask must not narrow it
    }
    void file(std::string_view rel, std::string_view content, mode_t mode = 0644) const {
        const std::string p = path(rel);
        std::FILE* f = std::fopen(p.c_str(), "wb");
        if (f == nullptr) fail("fopen " + p);
        const bool ok = std::fwrite(content.data(), 1, content.size(), f) == content.size();
        if (std::fclose(f) != 0 || !ok) fail("write " + p);
        if (::chmod(p.c_str(), mode) != 0) fail("chmod " + p);
    }
    // A symlink at `rel` whose content is `target`, verbatim.
    void link(std::string_view target, std::string_view rel) const {
        const std::string p = path(rel);
        if (::symlink(std::string(target).c_str(), p.c_str()) != 0) fail("symlink " + p);
    }
    void fifo(std::string_view rel) const {
        const std::string p = path(rel);
        if (::mkfifo(p.c_str(), 0644) != 0) fail("mkfifo " + p);
    }

private:
    [[noreturn]] static void fail(const std::string& what) {
        throw std::system_error(errno, std::generic_category(), what);
    }
    static int remove_one(const char* p, const struct stat*, int, struct FTW*) {
        ::remove(p);
        return 0;
    }

    std::string base_;
};

}  // namespace test
