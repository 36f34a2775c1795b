// ConnectionCap (the count in LoopShared): the server-wide connection count behind
// --max-connections, held by RAII slots.
#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "server/loop/loop_shared.hpp"

using server::ConnectionCap;

TEST_CASE("connection cap: a slot counts a connection for its lifetime", "[connection_cap]") {
    ConnectionCap sh(2);
    CHECK(sh.open() == 0);
    CHECK_FALSE(sh.at_capacity());
    {
        const ConnectionCap::Slot a(sh);
        CHECK(sh.open() == 1);
        CHECK_FALSE(sh.at_capacity());
        std::optional<ConnectionCap::Slot> b;
        b.emplace(sh);
        CHECK(sh.open() == 2);
        CHECK(sh.at_capacity());
        b.reset();
        CHECK_FALSE(sh.at_capacity());
    }
    CHECK(sh.open() == 0);
}

TEST_CASE("connection cap: slots from several threads balance", "[connection_cap]") {
    ConnectionCap sh(1'000'000);
    std::atomic<int> unseen{0};  // Catch2's assertions are not thread-safe: count, check after
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([&] {
            for (int i = 0; i < 10'000; ++i) {
                const ConnectionCap::Slot s(sh);
                if (sh.open() < 1) ++unseen;
            }
        });
    for (auto& t : threads) t.join();
    CHECK(unseen == 0);
    CHECK(sh.open() == 0);
}

TEST_CASE("connection cap: a cap of zero admits nothing", "[connection_cap]") {
    ConnectionCap sh(0);
    CHECK(sh.at_capacity());
}
