// run_workers(): N loops, each built and run on its own thread; a build failure stops them all.
#include <atomic>
#include <memory>
#include <mutex>
#include <set>
#include <system_error>
#include <thread>

#include <catch2/catch.hpp>

#include "server/loop/run_workers.hpp"

namespace {

struct Record {
    std::mutex mu;
    std::set<std::thread::id> built_on, run_on, destroyed_on;
    std::atomic<int> once_built{0};
    std::atomic<int> runs_before_ready{0};
    std::atomic<int> run_elsewhere{0};  // Catch2's assertions are not thread-safe: count here
};

struct FakeLoop {
    explicit FakeLoop(Record& r) : rec(r) {
        const std::lock_guard lock(rec.mu);
        rec.built_on.insert(std::this_thread::get_id());
    }
    ~FakeLoop() {
        const std::lock_guard lock(rec.mu);
        rec.destroyed_on.insert(std::this_thread::get_id());
    }
    FakeLoop(const FakeLoop&) = delete;
    FakeLoop& operator=(const FakeLoop&) = delete;
    void run() {
        if (rec.once_built.load() != 1) ++rec.runs_before_ready;
        const std::lock_guard lock(rec.mu);
        if (rec.built_on.count(std::this_thread::get_id()) != 1) ++rec.run_elsewhere;
        rec.run_on.insert(std::this_thread::get_id());
    }
    Record& rec;
};

}  // namespace

TEST_CASE("run_workers: N loops, each built, run and freed on its own thread", "[run_workers]") {
    const unsigned n = GENERATE(1u, 4u);
    Record rec;
    const std::error_code ec = server::run_workers(
        n, [&] { return std::make_unique<FakeLoop>(rec); }, [&] { ++rec.once_built; });
    CHECK_FALSE(ec);
    CHECK(rec.once_built == 1);
    CHECK(rec.runs_before_ready == 0);
    CHECK(rec.run_elsewhere == 0);  // built where it runs
    CHECK(rec.built_on.size() == n);
    CHECK(rec.run_on == rec.built_on);
    CHECK(rec.destroyed_on == rec.built_on);
    CHECK(rec.run_on.count(std::this_thread::get_id()) == 1);  // the caller runs one
}

TEST_CASE("run_workers: a loop that fails to build is reported and none runs", "[run_workers]") {
    Record rec;
    std::atomic<int> made{0};
    const std::error_code ec = server::run_workers(
        3,
        [&] {
            if (++made == 2)
                throw std::system_error(EMFILE, std::generic_category(), "epoll_create1");
            return std::make_unique<FakeLoop>(rec);
        },
        [&] { ++rec.once_built; });
    CHECK(ec == std::error_code(EMFILE, std::generic_category()));
    CHECK(made == 3);
    CHECK(rec.once_built == 0);
    CHECK(rec.run_on.empty());
    CHECK(rec.destroyed_on.size() == 2);  // the ones built are still freed
}

TEST_CASE("run_workers: a failing start-up step after the build is reported", "[run_workers]") {
    Record rec;
    const std::error_code ec = server::run_workers(
        2, [&] { return std::make_unique<FakeLoop>(rec); },
        [] { throw std::system_error(EBADF, std::generic_category(), "fcntl O_NONBLOCK"); });
    CHECK(ec == std::error_code(EBADF, std::generic_category()));
    CHECK(rec.run_on.empty());
}
