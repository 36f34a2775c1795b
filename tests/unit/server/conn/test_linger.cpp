// Linger: the one lingering-close policy (500 ms window, 256 KiB cap), on a socketpair.
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <vector>

#include <catch2/catch.hpp>

#include "base/unique_fd.hpp"
#include "server/conn/linger.hpp"

using namespace std::chrono_literals;
using server::Linger;

namespace {

struct Pair {
    Pair() {
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv) == 0);
        server.reset(sv[0]);
        client.reset(sv[1]);
    }
    void send(std::size_t n) const {
        const std::vector<char> bytes(n, 'x');
        std::size_t sent = 0;
        while (sent < n) {
            const ssize_t k = ::send(client.get(), bytes.data() + sent, n - sent, MSG_NOSIGNAL);
            REQUIRE(k > 0);
            sent += static_cast<std::size_t>(k);
        }
    }
    poly::UniqueFd server, client;
};

const Linger::clock::time_point t0{};

}  // namespace

TEST_CASE("linger: start half-closes and opens one 500 ms window", "[linger]") {
    Pair p;
    Linger l;
    CHECK_FALSE(l.active());
    l.start(p.server.get(), t0);
    CHECK(l.active());
    CHECK_FALSE(l.over());
    CHECK(l.until() == t0 + 500ms);
    CHECK(l.remaining_ms(t0 + 100ms) == 400);
    CHECK(l.remaining_ms(t0 + 500ms) == 0);
    char c;
    CHECK(::recv(p.client.get(), &c, 1, 0) == 0);  // the client sees our FIN
}

TEST_CASE("linger: drain discards what is there and waits for more", "[linger]") {
    Pair p;
    Linger l;
    l.start(p.server.get(), t0);
    std::array<std::byte, 1024> scratch{};
    p.send(5000);
    CHECK(l.drain(p.server.get(), scratch));  // EAGAIN after 5000 bytes: wait
    CHECK_FALSE(l.over());
    p.send(10);
    CHECK(l.drain(p.server.get(), scratch));
    ::shutdown(p.client.get(), SHUT_WR);  // the client's FIN ends it
    CHECK_FALSE(l.drain(p.server.get(), scratch));
    CHECK(l.over());
}

TEST_CASE("linger: more than 256 KiB ends it", "[linger]") {
    Pair p;
    int big = 1 << 20;
    ::setsockopt(p.server.get(), SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
    ::setsockopt(p.client.get(), SOL_SOCKET, SO_SNDBUF, &big, sizeof big);
    Linger l;
    l.start(p.server.get(), t0);
    std::vector<std::byte> scratch(64 * 1024);
    std::size_t fed = 0;
    bool going = true;
    while (going && fed <= Linger::max_bytes + scratch.size()) {
        p.send(16 * 1024);
        fed += 16 * 1024;
        going = l.drain(p.server.get(), scratch);
    }
    CHECK_FALSE(going);
    CHECK(l.over());
    CHECK(fed > Linger::max_bytes);
}

TEST_CASE("linger: a driver that receives itself counts with absorb", "[linger]") {
    Linger l;
    CHECK(l.absorb(100 * 1024));
    CHECK(l.absorb(156 * 1024));  // exactly the cap: still lingering
    CHECK_FALSE(l.absorb(1));
    CHECK(l.over());
    Linger fin;
    CHECK_FALSE(fin.absorb(0));  // the client's FIN
    Linger reset;
    reset.end();
    CHECK(reset.over());
}
