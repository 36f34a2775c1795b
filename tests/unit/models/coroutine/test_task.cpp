// Task<T>, Detached and TaskScope without any I/O: lazy start, results, symmetric transfer
// (a 100,000-deep chain on a bounded stack), exception propagation, and every frame destroyed
// exactly once. A test-only awaitable (Gate) stands in for the event loop.
#include <coroutine>
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include <catch2/catch.hpp>

#include "models/coroutine/task.hpp"
#include "models/coroutine/task_scope.hpp"

using server::Detached;
using server::Task;
using server::TaskScope;

namespace {

// Counts objects alive; one is passed by value into coroutines, so it lives in their frames.
struct Tracker {
    static inline int alive = 0;
    static inline int destroyed = 0;
    Tracker() noexcept { ++alive; }
    Tracker(const Tracker&) noexcept { ++alive; }
    Tracker(Tracker&&) noexcept { ++alive; }
    Tracker& operator=(const Tracker&) = default;
    ~Tracker() {
        --alive;
        ++destroyed;
    }
};

// A hand-operated event: co_await suspends until the test calls open().
struct Gate {
    std::coroutine_handle<> waiter;
    bool await_ready() const noexcept { return false; }
    void await_suspend(std::coroutine_handle<> h) noexcept { waiter = h; }
    void await_resume() const noexcept {}
    void open() { server::resume_chain(std::exchange(waiter, {})); }
};

template <typename T>
Detached store(Task<T> t, std::optional<T>& out) {
    out = co_await std::move(t);
}

Detached run_void(Task<> t, bool& finished) {
    co_await t;
    finished = true;
}

Detached catch_into(Task<int> t, std::string& what) {
    try {
        (void)co_await t;
        what = "no exception";
    } catch (const std::runtime_error& e) {
        what = e.what();
    }
}

Detached catch_logic_error(Task<> t, std::string& what) {
    try {
        co_await t;
    } catch (const std::logic_error& e) {
        what = e.what();
    }
}

Task<int> answer(bool& started) {
    started = true;
    co_return 42;
}

Task<std::uint64_t> depth(int n) {
    if (n == 0) co_return 0;
    co_return 1 + co_await depth(n - 1);
}

// The stack address of a plain function's frame, called at the bottom of a chain.
[[gnu::noinline]] std::uintptr_t stack_here() {
    return reinterpret_cast<std::uintptr_t>(__builtin_frame_address(0));
}

Task<std::uintptr_t> deepest_stack(int n) {
    if (n == 0) co_return stack_here();
    co_return co_await deepest_stack(n - 1);
}

Task<int> throws_at(int n) {
    if (n == 0) throw std::runtime_error("bottom");
    co_return co_await throws_at(n - 1);
}

Task<int> waits(Gate& g, Tracker) {
    co_await g;
    co_return 7;
}

Task<> outer(Gate& g, Tracker t) { (void)co_await waits(g, t); }

}  // namespace

TEST_CASE("Task is lazy: nothing runs until it is awaited", "[task]") {
    bool started = false;
    TaskScope scope;
    std::optional<int> out;
    Task<int> t = answer(started);
    CHECK_FALSE(started);
    CHECK_FALSE(t.done());
    scope.spawn(store(std::move(t), out));
    CHECK(started);
    REQUIRE(out.has_value());
    CHECK(*out == 42);
    CHECK(scope.empty());  // the Detached frame freed itself at its end
}

TEST_CASE("a 100,000-deep await chain completes on a bounded stack", "[task]") {
    TaskScope scope;
    std::optional<std::uint64_t> out;
    scope.spawn(store(depth(100'000), out));
    REQUIRE(out.has_value());
    CHECK(*out == 100'000);

    // Without symmetric transfer each level would sit on the stack under the next: 100,000
    // levels are megabytes. Here the bottom runs about as high as a direct call.
    std::optional<std::uintptr_t> bottom;
    const std::uintptr_t top = stack_here();
    scope.spawn(store(deepest_stack(100'000), bottom));
    REQUIRE(bottom.has_value());
    const auto spread = *bottom > top ? *bottom - top : top - *bottom;
    CHECK(spread < 64 * 1024);
}

TEST_CASE("an exception propagates through the chain to the awaiter", "[task]") {
    TaskScope scope;
    std::string what;
    scope.spawn(catch_into(throws_at(1000), what));
    CHECK(what == "bottom");
    CHECK(scope.empty());
}

TEST_CASE("an exception escaping a Detached coroutine is contained", "[task]") {
    TaskScope scope;
    std::optional<int> out;
    scope.spawn(store(throws_at(3), out));  // logged; the frame ends normally
    CHECK_FALSE(out.has_value());
    CHECK(scope.empty());
    CHECK(Detached::live_frames() == 0);
}

TEST_CASE("frames are destroyed exactly once", "[task]") {
    Tracker::alive = 0;
    Tracker::destroyed = 0;
    SECTION("a Task never awaited destroys its frame") {
        {
            Gate g;
            const Task<int> t = waits(g, Tracker{});
            CHECK(Tracker::alive == 1);  // the parameter copy in the frame
        }
        CHECK(Tracker::alive == 0);
    }
    SECTION("a moved-from Task owns nothing") {
        Gate g;
        Task<int> a = waits(g, Tracker{});
        Task<int> b = std::move(a);
        CHECK_FALSE(a.valid());
        CHECK(b.valid());
        a = std::move(b);  // back again; the frame is never destroyed twice
        CHECK(Tracker::alive == 1);
    }
    SECTION("a finished chain frees every frame") {
        Gate g;
        TaskScope scope;
        bool finished = false;
        scope.spawn(run_void(outer(g, Tracker{}), finished));
        // outer's copy, waits' copy, and the argument of waits(g, t): a temporary of the
        // full expression that contains the co_await, so it lives across the suspension
        CHECK(Tracker::alive == 3);
        CHECK(scope.size() == 1);
        g.open();
        CHECK(finished);
        CHECK(scope.empty());
    }
    SECTION("a suspended chain is destroyed by its scope, children included") {
        Gate g;
        const std::size_t before = Detached::live_frames();
        {
            TaskScope scope;
            bool finished = false;
            scope.spawn(run_void(outer(g, Tracker{}), finished));
            CHECK(Detached::live_frames() == before + 1);
            CHECK(Tracker::alive == 3);
        }
        CHECK(Tracker::alive == 0);
        CHECK(Detached::live_frames() == before);
    }
    CHECK(Tracker::alive == 0);
}

TEST_CASE("a Detached never spawned is destroyed with its handle", "[task]") {
    const std::size_t before = Detached::live_frames();
    {
        bool finished = false;
        const Detached d = run_void(Task<>{}, finished);
        CHECK(Detached::live_frames() == before + 1);
        CHECK_FALSE(finished);
    }
    CHECK(Detached::live_frames() == before);
}

TEST_CASE("awaiting an empty Task is an error the awaiter can catch", "[task]") {
    TaskScope scope;
    std::string what;
    scope.spawn(catch_logic_error(Task<>{}, what));
    CHECK(what == "co_await on an empty Task");
}
