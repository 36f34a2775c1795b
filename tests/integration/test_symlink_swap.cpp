// Symlink swaps while requests run, for every model: a file and a directory in the root are
// atomically exchanged (renameat2 RENAME_EXCHANGE) with symlinks out of the root, over and
// over, while a client asks for them. Whichever state a request meets, the answer is the
// inside content or 404: never the secret beside the root, so no check-then-open race exists.
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <thread>

#include "suite.hpp"

using namespace itest;

namespace {

namespace fs = std::filesystem;

// Past the small-file cache, and the server runs with --file-cache-valid 0 (no file kept
// open either): every request opens the path again, which is what meets the swaps.
const std::string& inside_body() {
    static const std::string body(70 * 1024, 'i');
    return body;
}

// swap.txt <-> swap.txt.alt (a symlink to ../secret.txt), and swapdir/ <-> swapdir.alt
// (a symlink to .., which holds secret.txt): created here, flipped by a thread, removed after.
class Swapper {
public:
    explicit Swapper(const std::string& root) : root_(root) {
        std::ofstream(root_ + "/swap.txt", std::ios::binary) << inside_body();
        fs::create_symlink("../secret.txt", root_ + "/swap.txt.alt");
        fs::create_directory(root_ + "/swapdir");
        std::ofstream(root_ + "/swapdir/secret.txt", std::ios::binary) << inside_body();
        fs::create_symlink("..", root_ + "/swapdir.alt");
        flipper_ = std::jthread([this](std::stop_token stop) { flip_until(stop); });
    }
    Swapper(const Swapper&) = delete;
    Swapper& operator=(const Swapper&) = delete;
    ~Swapper() {
        flipper_.request_stop();
        flipper_.join();
        std::error_code ec;
        for (const char* name : {"/swap.txt", "/swap.txt.alt", "/swapdir", "/swapdir.alt"})
            fs::remove_all(root_ + name, ec);  // does not follow symlinks
    }
    [[nodiscard]] long flips() const noexcept { return flips_.load(); }
    [[nodiscard]] int errors() const noexcept { return errors_.load(); }

private:
    void exchange(const char* a, const char* b) {
        const std::string pa = root_ + a, pb = root_ + b;
        if (::renameat2(AT_FDCWD, pa.c_str(), AT_FDCWD, pb.c_str(), RENAME_EXCHANGE) != 0) ++errors_;
    }
    void flip_until(const std::stop_token& stop) {
        while (!stop.stop_requested()) {
            exchange("/swap.txt", "/swap.txt.alt");
            exchange("/swapdir", "/swapdir.alt");
            ++flips_;
        }
    }

    std::string root_;
    std::atomic<long> flips_{0};
    std::atomic<int> errors_{0};
    std::jthread flipper_;
};

// Requests both paths until each was seen both as the inside file (200) and as the symlink
// (404), so both states were really met; at most 2,000 requests.
void requests_during_swaps(std::uint16_t port) {
    Swapper swapper(web_root().path());
    RawClient c(port);
    int ok[2] = {0, 0}, refused[2] = {0, 0};
    const char* targets[2] = {"/swap.txt", "/swapdir/secret.txt"};
    for (int i = 0; i < 2000; ++i) {
        const int which = i % 2;
        const HttpResponse r = roundtrip(c, get_request(targets[which]));
        INFO("request " << i << " for " << targets[which] << ": " << r.status);
        REQUIRE(r.body.find("root:x:0:0") == std::string::npos);  // the secret's marker
        REQUIRE((r.status == 200 || r.status == 404));
        if (r.status == 200) REQUIRE(first_mismatch(r.body, inside_body()) == no_mismatch);
        (r.status == 200 ? ok : refused)[which] += 1;
        if (ok[0] && ok[1] && refused[0] && refused[1]) break;
    }
    INFO("flips " << swapper.flips() << ", flip errors " << swapper.errors());
    INFO("swap.txt: " << ok[0] << " served, " << refused[0] << " refused; swapdir: " << ok[1]
                      << " served, " << refused[1] << " refused");
    CHECK(swapper.errors() == 0);
    CHECK((ok[0] > 0 && ok[1] > 0 && refused[0] > 0 && refused[1] > 0));
}

}  // namespace

TEST_CASE("symlink swaps during requests never serve outside the root",
          "[integration][hostile][symlink]") {
    MODEL_UNDER_TEST();
    ServerProcess server(model, web_root().path(), {"--file-cache-valid", "0"});
    requests_during_swaps(server.port());
    const Exit e = server.stop(10s);
    INFO(e.describe() << "\n" << server.output_tail());
    CHECK(e.clean());
}
