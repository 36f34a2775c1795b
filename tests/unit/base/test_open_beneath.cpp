// open_beneath: the kernel path (openat2) and the userspace walk must agree on every path,
// and neither may ever open something outside the base directory.
#include <fcntl.h>
#include <sys/stat.h>

#include <cerrno>

#include <catch2/catch.hpp>

#include "base/open_beneath.hpp"
#include "unit/http/static_site.hpp"

namespace {

constexpr int flags = O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK;

// The inode a successful open reached, or -errno.
long long outcome(const poly::OpenResult& r) {
    if (!r.fd) return -r.error;
    struct stat st {};
    REQUIRE(::fstat(r.fd.get(), &st) == 0);
    return static_cast<long long>(st.st_ino);
}

long long inode_of(const std::string& p) {
    struct stat st {};
    REQUIRE(::stat(p.c_str(), &st) == 0);
    return static_cast<long long>(st.st_ino);
}

}  // namespace

TEST_CASE("open_beneath: openat2 and the walk agree") {
    test::TempRoot t;
    t.file("outside/secret", "S");
    t.dir("root/a");
    t.dir("root/a/b");
    t.file("root/a/b/f", "f");
    t.file("root/top", "t");
    t.link("b/f", "root/a/to_f");
    t.link("../top", "root/a/to_top");
    t.link("a/b", "root/to_b");
    t.link("..", "root/a/b/up");
    t.link("../..", "root/a/upup");
    t.link("../outside/secret", "root/out_rel");
    t.link(t.path("outside/secret"), "root/out_abs");
    t.link(t.path("root/top"), "root/in_abs");
    t.link("x1", "root/x2");
    t.link("x2", "root/x1");
    t.fifo("root/fifo");
    const poly::UniqueFd base(::open(t.root().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    REQUIRE(base);

    const std::string root = t.root();
    const std::string long_name(300, 'n');   // over NAME_MAX
    const std::string long_path(5000, 'a');  // over PATH_MAX
    const struct {
        const char* path;
        long long expect;  // inode or -errno
    } cases[] = {
        {"top", inode_of(root + "/top")},
        {"/top", inode_of(root + "/top")},
        {"", inode_of(root)},
        {"/", inode_of(root)},
        {"a/b/f", inode_of(root + "/a/b/f")},
        {"a//b///f", inode_of(root + "/a/b/f")},
        {"a/./b/./f", inode_of(root + "/a/b/f")},
        {"a/b/../b/f", inode_of(root + "/a/b/f")},
        {"a/to_f", inode_of(root + "/a/b/f")},
        {"a/to_top", inode_of(root + "/top")},
        {"to_b/f", inode_of(root + "/a/b/f")},
        {"to_b/", inode_of(root + "/a/b")},
        {"to_b/up/to_f", inode_of(root + "/a/b/f")},
        {"a/b/up/b/up/to_top", inode_of(root + "/top")},
        {"fifo", inode_of(root + "/fifo")},  // O_NONBLOCK: opens at once
        {"..", -EXDEV},
        {"a/../..", -EXDEV},
        {"a/upup/outside/secret", -EXDEV},
        {"a/upup", -EXDEV},
        {"out_rel", -EXDEV},
        {"out_abs", -EXDEV},
        {"in_abs", -EXDEV},
        {"x1", -ELOOP},
        {"missing", -ENOENT},
        {"a/missing/f", -ENOENT},
        {"top/", -ENOTDIR},
        {"top/x", -ENOTDIR},
        {"a/to_f/", -ENOTDIR},
        {long_name.c_str(), -ENAMETOOLONG},
        {long_path.c_str(), -ENAMETOOLONG},
    };
    for (const auto& c : cases) {
        INFO("path " << std::string(c.path).substr(0, 40));
        test::WalkMode off(false);
        const long long kernel = outcome(poly::open_beneath(base.get(), c.path, flags));
        const long long walk = outcome(poly::detail::open_beneath_walk(base.get(), c.path, flags));
        CHECK(walk == c.expect);
        // The kernel may report a loop through an escape differently; the class must match.
        CHECK(kernel == c.expect);
        // O_PATH opens a final symlink itself unless the walk follows it: same answers.
        const int opath = O_PATH | O_CLOEXEC;
        CHECK(outcome(poly::detail::open_beneath_walk(base.get(), c.path, opath)) == c.expect);
        CHECK(outcome(poly::open_beneath(base.get(), c.path, opath)) == c.expect);
    }
}

TEST_CASE("open_beneath: the test hook routes through the walk") {
    test::TempRoot t;
    t.file("root/f", "x");
    const poly::UniqueFd base(::open(t.root().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    test::WalkMode on(true);
    const poly::OpenResult r = poly::open_beneath(base.get(), "f", flags);
    CHECK(r.fd);
    CHECK(r.error == 0);
    CHECK(poly::open_beneath(base.get(), std::string_view("f\0x", 3), flags).error == ENOENT);
}

TEST_CASE("open_beneath: a symlink chain past the limit is a loop") {
    test::TempRoot t;
    t.file("root/l0", "x");
    for (int i = 1; i <= 45; ++i) {
        t.link("l" + std::to_string(i - 1), "root/l" + std::to_string(i));
    }
    const poly::UniqueFd base(::open(t.root().c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    CHECK(poly::detail::open_beneath_walk(base.get(), "l40", flags).fd);
    CHECK(poly::detail::open_beneath_walk(base.get(), "l45", flags).error == ELOOP);
    CHECK(poly::open_beneath(base.get(), "l45", flags).error == ELOOP);
}
