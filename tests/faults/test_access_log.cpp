// The access log failing under a running server, over every model: a full device (/dev/full),
// a real file system that fills up (a 256 KiB tmpfs, when this runs as root and may mount),
// and a reader that goes away (a FIFO whose reader closes: EPIPE, SIGPIPE). Requests are
// answered all the same, the server reports the failure in its error log at most every 10 s
// (across all its processes), never crashes, and logs again once the disk has room.
#include <fcntl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

#include <catch2/catch.hpp>

#include "fault_tests.hpp"
#include "suite.hpp"

using namespace ftest;
namespace fs = std::filesystem;

namespace {

// Requests on fresh connections (fork: a child each) and pipelined on one; 0 when all got 200.
int failed_requests(std::uint16_t port) {
    int failed = mtest::burst(port, 20, 2);
    itest::RawClient c(port);
    std::string pipelined;
    for (int i = 0; i < 10; ++i) pipelined += itest::get_request("/");
    if (!c.send(pipelined)) return failed + 10;
    for (int i = 0; i < 10; ++i) {
        itest::HttpResponse r;
        if (c.read_response(r) != itest::ReadResult::ok || r.status != 200) ++failed;
    }
    return failed;
}

void check_survived(itest::ServerProcess& server, std::string_view error) {
    INFO(server.output_tail());
    CHECK(server.running());
    // Reported, but not once per failed line (31 in failed_requests): at most every 10 s.
    const std::size_t reports = occurrences(server.output(), "access log: " + std::string(error));
    CHECK(reports >= 1);
    CHECK(reports <= 3);
    CHECK(server.output().find("killed by") == std::string::npos);
    const itest::Exit e = server.stop(10s);
    INFO(e.describe());
    CHECK(e.clean());
}

// A tmpfs of `size` bytes mounted on a fresh directory for the test's life.
class TinyDisk {
public:
    explicit TinyDisk(const std::string& size) {
        char tmpl[] = "/tmp/polyhttpd-fulldisk-XXXXXX";
        if (::mkdtemp(tmpl) == nullptr) return;
        dir_ = tmpl;
        const std::string opts = "size=" + size + ",mode=0755";
        mounted_ = ::mount("tmpfs", tmpl, "tmpfs", 0, opts.c_str()) == 0;
    }
    ~TinyDisk() {
        if (mounted_) ::umount2(dir_.c_str(), MNT_DETACH);
        std::error_code ec;
        fs::remove_all(dir_, ec);
    }
    TinyDisk(const TinyDisk&) = delete;
    TinyDisk& operator=(const TinyDisk&) = delete;
    [[nodiscard]] bool mounted() const noexcept { return mounted_; }
    [[nodiscard]] std::string path(const std::string& name) const { return dir_ + "/" + name; }

    // Fills the file system with one file; returns its path.
    std::string fill() const {
        const std::string filler = path("filler");
        std::ofstream out(filler, std::ios::binary);
        const std::string block(4096, 'x');
        while (out.write(block.data(), static_cast<std::streamsize>(block.size()))) {
        }
        return filler;
    }

private:
    std::string dir_;
    bool mounted_ = false;
};

}  // namespace

TEST_CASE("faults: the access log on a full device (/dev/full)", "[faults][access-log]") {
    MODEL_UNDER_TEST();
    const mtest::BigRoot root;
    itest::ServerProcess server(model, root.path(), {"--workers", "2", "--access-log", "/dev/full"});
    CHECK(failed_requests(server.port()) == 0);
    check_survived(server, "No space left on device");
}

TEST_CASE("faults: the access log on a file system that fills up", "[faults][access-log]") {
    MODEL_UNDER_TEST();
    const TinyDisk disk("256k");
    if (!disk.mounted()) {
        WARN("cannot mount a tmpfs (not root, or no CAP_SYS_ADMIN): not run");
        return;
    }
    const mtest::BigRoot root;
    const std::string log = disk.path("access.log");
    itest::ServerProcess server(model, root.path(), {"--workers", "2", "--access-log", log});
    const std::string filler = disk.fill();
    CHECK(failed_requests(server.port()) == 0);
    // Room again (logrotate compressed something away): lines are written again.
    const auto size_when_full = fs::file_size(log);
    REQUIRE(::unlink(filler.c_str()) == 0);
    CHECK(mtest::burst(server.port(), 5, 1) == 0);
    CHECK(fs::file_size(log) > size_when_full);
    check_survived(server, "No space left on device");
}

TEST_CASE("faults: the access log is a FIFO whose reader goes away", "[faults][access-log]") {
    MODEL_UNDER_TEST();
    const mtest::BigRoot root;
    const std::string fifo = root.path() + "/access.fifo";
    REQUIRE(::mkfifo(fifo.c_str(), 0600) == 0);
    // The reader must exist before the server opens the FIFO for writing (or that open blocks).
    int reader = ::open(fifo.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    REQUIRE(reader >= 0);
    itest::ServerProcess server(model, root.path(), {"--workers", "2", "--access-log", fifo});
    REQUIRE(get(server.port(), "/").status == 200);
    char line[512];
    CHECK(mtest::eventually([&] { return ::read(reader, line, sizeof line) > 0; }, 5s));
    ::close(reader);  // from now on every write meets EPIPE (and SIGPIPE, which is ignored)
    CHECK(failed_requests(server.port()) == 0);
    check_survived(server, "Broken pipe");
}
