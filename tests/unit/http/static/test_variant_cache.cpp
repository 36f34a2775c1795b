// VariantCache: keyed by file identity and coding, bounded in bytes, least recently used out;
// compress_variant builds entries from memory or from a file.
#include <fcntl.h>
#include <unistd.h>

#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "base/unique_fd.hpp"
#include "http/static/variant_cache.hpp"
#include "unit/http/compress/decode.hpp"
#include "unit/http/temp_root.hpp"

namespace {

using http::Coding;
using http::FileIdentity;

constexpr std::size_t overhead = http::VariantCache::entry_overhead;

std::shared_ptr<const http::CachedFile> body_of_size(std::size_t n, char fill = 'x') {
    auto f = std::make_shared<http::CachedFile>();
    f->body.assign(n, fill);
    return f;
}

FileIdentity ident(std::uint64_t ino, std::int64_t mtime_ns = 1) {
    return FileIdentity{1, ino, 1000, mtime_ns};
}

}  // namespace

TEST_CASE("variant cache: keyed by identity and coding") {
    http::VariantCache cache(1 << 20);
    const auto gz = body_of_size(10, 'g');
    const auto br = body_of_size(10, 'b');
    cache.insert(ident(7), Coding::gzip, gz);
    cache.insert(ident(7), Coding::br, br);
    CHECK(cache.find(ident(7), Coding::gzip) == gz);
    CHECK(cache.find(ident(7), Coding::br) == br);
    CHECK(cache.find(ident(7), Coding::zstd) == nullptr);
    CHECK(cache.find(ident(8), Coding::gzip) == nullptr);
    CHECK(cache.find(FileIdentity{2, 7, 1000, 1}, Coding::gzip) == nullptr);  // other device
    CHECK(cache.bytes() == 2 * (10 + overhead));
}

TEST_CASE("variant cache: a changed file's variant is never found and is dropped") {
    http::VariantCache cache(1 << 20);
    cache.insert(ident(7, 100), Coding::gzip, body_of_size(10));
    CHECK(cache.find(ident(7, 200), Coding::gzip) == nullptr);  // newer mtime
    CHECK(cache.entries() == 0);
    CHECK(cache.bytes() == 0);
    cache.insert(ident(7, 100), Coding::gzip, body_of_size(10));
    CHECK(cache.find(FileIdentity{1, 7, 999, 100}, Coding::gzip) == nullptr);  // other size
    CHECK(cache.entries() == 0);
    // Replacing an entry keeps one entry and the right byte count.
    cache.insert(ident(7, 100), Coding::gzip, body_of_size(10));
    cache.insert(ident(7, 300), Coding::gzip, body_of_size(20));
    CHECK(cache.entries() == 1);
    CHECK(cache.bytes() == 20 + overhead);
    CHECK(cache.find(ident(7, 300), Coding::gzip) != nullptr);
}

TEST_CASE("variant cache: bounded in bytes, least recently used out") {
    const std::size_t entry = 1000;
    http::VariantCache cache(8 * (entry + overhead));  // room for eight; each is exactly 1/8
    REQUIRE(cache.max_entry_size() == entry + overhead);
    for (std::uint64_t i = 0; i < 8; ++i) cache.insert(ident(i), Coding::gzip, body_of_size(entry));
    CHECK(cache.entries() == 8);
    CHECK(cache.find(ident(0), Coding::gzip) != nullptr);  // 0 becomes the most recent
    cache.insert(ident(8), Coding::gzip, body_of_size(entry));
    CHECK(cache.entries() == 8);
    CHECK(cache.find(ident(1), Coding::gzip) == nullptr);  // the least recent went
    CHECK(cache.find(ident(0), Coding::gzip) != nullptr);
    CHECK(cache.find(ident(8), Coding::gzip) != nullptr);
    CHECK(cache.bytes() <= 8 * (entry + overhead));

    // An evicted entry still being sent stays alive in its holder.
    const auto held = cache.find(ident(2), Coding::gzip);
    REQUIRE(held);
    for (std::uint64_t i = 100; i < 110; ++i)
        cache.insert(ident(i), Coding::gzip, body_of_size(entry));
    CHECK(cache.find(ident(2), Coding::gzip) == nullptr);
    CHECK(held->body == std::string(entry, 'x'));

    // Larger than an eighth: refused.
    cache.insert(ident(200), Coding::gzip, body_of_size(entry + 1));
    CHECK(cache.find(ident(200), Coding::gzip) == nullptr);
}

TEST_CASE("variant cache: a budget of 0 holds nothing") {
    http::VariantCache cache(0);
    CHECK(cache.max_entry_size() == 0);
    cache.insert(ident(1), Coding::gzip, body_of_size(0));
    CHECK(cache.entries() == 0);
}

TEST_CASE("variant cache: threads inserting and finding the same keys corrupt nothing") {
    http::VariantCache cache(64 * (100 + overhead));
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&cache] {
            for (int i = 0; i < 2000; ++i) {
                const auto id = ident(static_cast<std::uint64_t>(i % 100));
                const char fill = static_cast<char>('a' + (i % 100) % 26);
                if (const auto hit = cache.find(id, Coding::br)) {
                    if (hit->body != std::string(100, fill)) FAIL("torn entry");
                } else {
                    cache.insert(id, Coding::br, body_of_size(100, fill));
                }
            }
        });
    }
    for (std::thread& th : threads) th.join();
    CHECK(cache.entries() <= 64);
    CHECK(cache.bytes() == cache.entries() * (100 + overhead));
}

TEST_CASE("variant cache: compress_variant from a file and from memory") {
    test::TempRoot t;
    std::string page;
    for (int i = 0; page.size() < 150 * 1024; ++i)
        page += "<li>item " + std::to_string(i) + "</li>\n";
    t.file("root/page.html", page);
    const poly::UniqueFd file(::open(t.path("root/page.html").c_str(), O_RDONLY | O_CLOEXEC));
    const int fd = file.get();
    REQUIRE(fd >= 0);
    struct stat st {};
    REQUIRE(::fstat(fd, &st) == 0);
    for (const Coding c : {Coding::gzip, Coding::br, Coding::zstd}) {
        INFO(http::coding_name(c));
        const auto v = http::compress_variant(fd, nullptr, st, c);  // read in pieces
        REQUIRE(v);
        CHECK(v->encoding == http::coding_name(c));
        CHECK(v->st.st_ino == st.st_ino);
        CHECK(test::decode(c, v->body) == page);
        http::CachedFile mem;
        mem.body = page;
        const auto from_mem = http::compress_variant(-1, &mem, st, c);
        REQUIRE(from_mem);
        CHECK(test::decode(c, from_mem->body) == page);
    }
    // The file no longer matches the identity it was opened with: no variant.
    struct stat stale = st;
    stale.st_mtim.tv_nsec ^= 1;
    CHECK(http::compress_variant(fd, nullptr, stale, Coding::gzip) == nullptr);
    // Truncated under us: the read falls short.
    REQUIRE(::truncate(t.path("root/page.html").c_str(), 10) == 0);
    CHECK(http::compress_variant(fd, nullptr, st, Coding::gzip) == nullptr);
}
