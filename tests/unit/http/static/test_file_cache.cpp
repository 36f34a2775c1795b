// The file cache: hits serve the same bytes and validators as the disk path, a changed file
// is noticed once the entry's validity has passed, and large files are kept open rather than
// read, within a bound on descriptors.
#include <dirent.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <thread>

#include <catch2/catch.hpp>

#include "http/static/file_cache.hpp"
#include "unit/http/static_site.hpp"

using namespace std::chrono_literals;

TEST_CASE("cache: a second GET is served from memory with identical validators", "[cache]") {
    test::TempRoot t;
    t.file("root/page.html", "<p>cached</p>\n");
    http::StaticConfig cfg;
    cfg.root = t.root();
    const http::StaticHandler h(cfg);
    const http::Response first = test::get(h, "/page.html");
    const http::Response second = test::get(h, "/page.html");
    REQUIRE(second.status == 200);
    CHECK(second.cached != nullptr);
    CHECK_FALSE(second.file.valid());
    CHECK(test::body_of(second) == "<p>cached</p>\n");
    CHECK(second.etag.view() == first.etag.view());
    CHECK(second.last_modified == first.last_modified);
    CHECK(second.content_type == first.content_type);
}

TEST_CASE("cache: ranges and conditionals work on cached entries", "[cache]") {
    test::TempRoot t;
    t.file("root/a.txt", "0123456789");
    http::StaticConfig cfg;
    cfg.root = t.root();
    const http::StaticHandler h(cfg);
    const http::Response warm = test::get(h, "/a.txt");
    http::Request req = test::make_request("/a.txt");
    req.range = "bytes=2-4";
    http::Response part = test::run(h, req);
    CHECK(part.status == 206);
    CHECK(test::body_of(part) == "234");
    req.range.clear();
    req.if_none_match = std::string(warm.etag.view());
    CHECK(test::run(h, req).status == 304);
}

TEST_CASE("cache: a changed file is re-read after the validity window", "[cache]") {
    test::TempRoot t;
    t.file("root/a.txt", "old");
    http::StaticConfig cfg;
    cfg.root = t.root();
    cfg.cache_valid_for = 50ms;
    const http::StaticHandler h(cfg);
    CHECK(test::body_of(test::get(h, "/a.txt")) == "old");
    t.file("root/a.txt", "new!");
    std::this_thread::sleep_for(60ms);
    const http::Response r = test::get(h, "/a.txt");
    CHECK(test::body_of(r) == "new!");
}

namespace {

// A root holding big.bin (100 bytes), over a memory limit of 10 bytes (0: caching off), each
// entry trusted for a minute.
struct BigFileSite {
    test::TempRoot t;
    http::StaticHandler h;
    explicit BigFileSite(std::size_t max_file_size = 10) : h(config(t, max_file_size)) {}
    static http::StaticConfig config(const test::TempRoot& t, std::size_t max_file_size) {
        t.file("root/big.bin", std::string(100, 'x'));
        http::StaticConfig cfg;
        cfg.root = t.root();
        cfg.cache_max_file_size = max_file_size;
        cfg.cache_valid_for = 60s;
        return cfg;
    }
    void remove_file() const { REQUIRE(std::remove((t.root() + "/big.bin").c_str()) == 0); }
};

}  // namespace

TEST_CASE("cache: files over the size limit are sent from disk, kept open", "[cache]") {
    const BigFileSite s;
    const http::Response first = test::get(s.h, "/big.bin");
    // Gone from disk: within the validity window the descriptor kept open still serves it,
    // as nginx's open_file_cache does (a re-opened path would give 404).
    s.remove_file();
    const http::Response r = test::get(s.h, "/big.bin");
    REQUIRE(r.status == 200);
    CHECK(http::cached_body(r) == nullptr);
    // The cache's own descriptor, held by the response (no dup, no close per request).
    CHECK(!r.file.valid());
    CHECK(http::file_descriptor(r) >= 0);
    CHECK(http::file_descriptor(test::get(s.h, "/big.bin")) == http::file_descriptor(r));
    CHECK(test::body_of(r) == std::string(100, 'x'));
    CHECK(r.etag.view() == first.etag.view());
}

TEST_CASE("cache: a file kept open and rewritten in place is opened afresh", "[cache]") {
    const BigFileSite s;
    const http::Response first = test::get(s.h, "/big.bin");
    s.t.file("root/big.bin", std::string(50, 'y'));  // same inode, new size
    const http::Response r = test::get(s.h, "/big.bin");
    CHECK(test::body_of(r) == std::string(50, 'y'));
    CHECK(r.etag.view() != first.etag.view());
}

TEST_CASE("cache: nothing is kept open when caching is off", "[cache]") {
    const BigFileSite s(0);
    REQUIRE(test::get(s.h, "/big.bin").status == 200);
    s.remove_file();
    CHECK(test::get(s.h, "/big.bin").status == 404);
}

namespace {
std::size_t open_descriptors() {
    std::size_t n = 0;
    if (DIR* d = ::opendir("/proc/self/fd")) {
        while (const dirent* e = ::readdir(d)) n += e->d_name[0] != '.' ? 1 : 0;
        ::closedir(d);
    }
    return n;
}
}  // namespace

TEST_CASE("cache: bounded in descriptors kept open", "[cache]") {
    const std::size_t before = open_descriptors();
    {
        http::FileCache cache(10, 1 << 20, 1s, 32);  // 2 per shard
        const auto now = http::FileCache::clock::now();
        for (int i = 0; i < 200; ++i) {
            auto f = std::make_shared<http::CachedFile>();
            f->fd.reset(::open("/dev/null", O_RDONLY | O_CLOEXEC));
            REQUIRE(f->fd.valid());
            f->checked = now;
            cache.insert("/f" + std::to_string(i), 0, f);
        }
        CHECK(open_descriptors() <= before + 32);
        int present = 0;
        for (int i = 0; i < 200; ++i)
            present += cache.find("/f" + std::to_string(i), 0, now) != nullptr;
        CHECK(present > 0);
        CHECK(present <= 32);
    }
    CHECK(open_descriptors() == before);  // the cache closes what it kept
}

TEST_CASE("cache: bounded in bytes", "[cache]") {
    http::FileCache cache(1024, 16 * 2048, 1s);  // 2 KiB per shard
    const auto now = http::FileCache::clock::now();
    for (int i = 0; i < 200; ++i) {
        auto f = std::make_shared<http::CachedFile>();
        f->body.assign(1000, 'x');
        f->checked = now;
        cache.insert("/f" + std::to_string(i), 0, f);
    }
    int present = 0;
    for (int i = 0; i < 200; ++i)
        present += cache.find("/f" + std::to_string(i), 0, now) != nullptr;
    CHECK(present > 0);
    CHECK(present <= 32);                         // 16 shards x 2 entries of 1000 bytes
    CHECK(cache.find("/f0", 1, now) == nullptr);  // another codings set is another entry
}
