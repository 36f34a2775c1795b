// LogFile: rotation by reopen() keeps the descriptor number, and processes forked before the
// rotation follow it on their next line.
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "server/obs/log_file.hpp"

namespace fs = std::filesystem;

namespace {

struct Dir {
    fs::path path;
    Dir() {
        std::string t = (fs::temp_directory_path() / "polyhttpd-logfile-XXXXXX").string();
        REQUIRE(::mkdtemp(t.data()) != nullptr);
        path = t;
    }
    ~Dir() { fs::remove_all(path); }
    [[nodiscard]] std::string read(const std::string& name) const {
        std::ifstream in(path / name);
        return {std::istreambuf_iterator<char>(in), {}};
    }
};

void put(const server::LogFile& f, const std::string& text) {
    REQUIRE(::write(f.fd(), text.data(), text.size()) == static_cast<ssize_t>(text.size()));
}

}  // namespace

TEST_CASE("targets: off, a standard stream, a file", "[log_file]") {
    Dir d;
    CHECK(server::LogFile("x", "off", 1, true).fd() == -1);
    CHECK(server::LogFile("x", "-", 2, false).fd() == 2);
    const server::LogFile f("x", (d.path / "a.log").string(), 1, true);
    CHECK(f.is_file());
    CHECK(f.fd() > 2);
    CHECK_THROWS_WITH(server::LogFile("access log", "/nonexistent/dir/a.log", 1, true),
                      Catch::Contains("access log /nonexistent/dir/a.log"));
}

TEST_CASE("reopen after a rename: same descriptor number, new file", "[log_file]") {
    Dir d;
    const std::string path = (d.path / "a.log").string();
    server::LogFile f("x", path, 1, true);
    const int before = f.fd();
    put(f, "one\n");
    fs::rename(path, path + ".1");
    REQUIRE_FALSE(f.reopen());
    CHECK(f.fd() == before);
    put(f, "two\n");
    CHECK(d.read("a.log.1") == "one\n");
    CHECK(d.read("a.log") == "two\n");
}

TEST_CASE("a process forked before the rotation follows it", "[log_file]") {
    Dir d;
    const std::string path = (d.path / "a.log").string();
    server::LogFile f("x", path, 1, true);
    int go[2];
    REQUIRE(::pipe(go) == 0);
    const pid_t child = ::fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        char c;
        if (::read(go[0], &c, 1) != 1) ::_exit(2);
        const std::string line = "from child\n";
        ::_exit(::write(f.fd(), line.data(), line.size()) == 11 ? 0 : 1);
    }
    fs::rename(path, path + ".1");
    REQUIRE_FALSE(f.reopen());
    REQUIRE(::write(go[1], "g", 1) == 1);
    int status = 0;
    REQUIRE(::waitpid(child, &status, 0) == child);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(d.read("a.log") == "from child\n");
    CHECK(d.read("a.log.1").empty());
    ::close(go[0]);
    ::close(go[1]);
}

TEST_CASE("retarget: a failed open keeps the old file", "[log_file]") {
    Dir d;
    server::LogFile f("x", (d.path / "a.log").string(), 1, true);
    CHECK(f.retarget((d.path / "missing/b.log").string()));
    put(f, "still a\n");
    CHECK(d.read("a.log") == "still a\n");
    REQUIRE_FALSE(f.retarget("-"));
    CHECK(f.fd() == 1);
    REQUIRE_FALSE(f.retarget((d.path / "c.log").string()));
    put(f, "c\n");
    CHECK(d.read("c.log") == "c\n");
}
