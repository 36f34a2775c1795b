// The run's session-ticket keys in shared memory (server/tls/shared_ticket_keys.hpp): forked
// children read what the parent pushes after the fork and never write; a ticket sealed by a
// context in a child resumes in the parent's; rotation keeps a ticket opening until its key
// drops out; concurrent readers never see a torn key; the rotator's schedule. Real fork()s;
// a child reports through a pipe and its exit status, never through Catch.
#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <openssl/ssl.h>

#include "base/unique_fd.hpp"
#include "server/tls/shared_ticket_keys.hpp"
#include "unit/server/tls/tls_harness.hpp"

using server::tls::SessionPtr;
using server::tls::SharedTicketKeys;
using server::tls::TicketKey;
using server::tls::TicketKeyRing;
using server::tls::TicketRotator;
using server::tls::TlsContext;
using namespace test::tls;  // the harness: Client, Fixture, fetch...
using namespace std::chrono_literals;

namespace {

struct Pipe {
    poly::UniqueFd read, write;
    Pipe() {
        int fds[2];
        REQUIRE(::pipe2(fds, O_CLOEXEC) == 0);
        read.reset(fds[0]);
        write.reset(fds[1]);
    }
};

void send_all(int fd, const void* data, std::size_t n) {
    const auto* p = static_cast<const char*>(data);
    while (n > 0) {
        const ssize_t k = ::write(fd, p, n);
        if (k <= 0) ::_exit(90);  // in a child: the parent sees the status
        p += k;
        n -= static_cast<std::size_t>(k);
    }
}

// Everything until the writer's end closes.
std::string receive_all(int fd) {
    std::string out;
    char buf[4096];
    for (ssize_t k; (k = ::read(fd, buf, sizeof buf)) > 0;)
        out.append(buf, static_cast<std::size_t>(k));
    return out;
}

int exit_code(pid_t pid) {
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid) return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// Runs `child` in a forked process that writes to `out` and exits with what it returns (or
// 91 if it throws); returns the pid. The parent closes its copy of the write end.
template <class Child>
pid_t spawn(Pipe& out, Child child) {
    const pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        int rc = 91;
        try {
            rc = child(out.write.get());
        } catch (...) {
        }
        ::_exit(rc);
    }
    out.write.reset();
    return pid;
}

struct Visit {
    bool served = false;
    bool resumed = false;
    SessionPtr session;  // the client's, with the tickets it received
};

// One GET over TLS against `ctx`, resuming `session` if given; no Catch macros (children
// call it too).
Visit visit(Fixture& f, std::shared_ptr<const TlsContext> ctx, int version, SSL_SESSION* session) {
    ClientOptions o;
    o.min_version = o.max_version = version;
    o.session = session;
    Client c(o);
    ServerConn s(f.site, std::move(ctx), f.counters);
    Visit v;
    v.served = body_of(fetch(c, s.stream, get_hello).response) == "hello over tls\n";
    v.resumed = SSL_session_reused(c.ssl.get()) == 1 && s.stream.resumed();
    // close_notify both ways: a client SSL freed without it marks its session unresumable.
    SSL_shutdown(c.ssl.get());
    shuttle(c, s.stream, SIZE_MAX);
    SSL_shutdown(c.ssl.get());
    v.session.reset(SSL_get1_session(c.ssl.get()));
    return v;
}

TicketKey patterned(unsigned char byte) {
    TicketKey k;
    k.name.fill(byte);
    k.aes.fill(byte);
    k.hmac.fill(byte);
    return k;
}

bool uniform(const TicketKey& k, unsigned char byte) {
    const auto same = [byte](const auto& a) {
        for (const unsigned char c : a)
            if (c != byte) return false;
        return true;
    };
    return same(k.name) && same(k.aes) && same(k.hmac);
}

}  // namespace

TEST_CASE("the run's store: a forked child sees a key pushed after the fork, and cannot rotate",
          "[tls][tickets][fork]") {
    SharedTicketKeys& keys = server::tls::process_ticket_store();  // before the fork, as main()
    CHECK(server::tls::process_ticket_keys().get() == &keys);
    REQUIRE(keys.writer());
    Pipe go, back;
    const pid_t pid = spawn(back, [&](int out) {
        char byte = 0;
        if (::read(go.read.get(), &byte, 1) != 1) return 2;
        TicketKey seen;
        if (!keys.sealing_key(seen)) return 3;
        send_all(out, seen.name.data(), seen.name.size());
        const char refused = (keys.writer() || keys.rotate()) ? 'n' : 'y';
        send_all(out, &refused, 1);
        return 0;
    });
    TicketKey pushed;
    REQUIRE(server::tls::make_ticket_key(pushed));
    REQUIRE(keys.push(pushed));  // after the fork
    REQUIRE(::write(go.write.get(), "x", 1) == 1);
    const std::string reply = receive_all(back.read.get());
    REQUIRE(exit_code(pid) == 0);
    REQUIRE(reply.size() == 17);
    CHECK(std::memcmp(reply.data(), pushed.name.data(), 16) == 0);
    CHECK(reply[16] == 'y');  // the child's rotate() refused
    TicketKey now;
    REQUIRE(keys.sealing_key(now));
    CHECK(now.name == pushed.name);  // and changed nothing
}

TEST_CASE("a ticket sealed by a context in a forked child resumes in the parent's",
          "[tls][tickets][fork]") {
    const int version = GENERATE(TLS1_3_VERSION, TLS1_2_VERSION);
    Fixture f;
    const auto keys = std::make_shared<SharedTicketKeys>();
    Pipe back;
    const pid_t pid = spawn(back, [&](int out) {
        const auto mine = std::make_shared<TlsContext>(f.files, keys);  // built in the child
        const Visit v = visit(f, mine, version, nullptr);
        if (!v.served || v.resumed || !v.session) return 2;
        unsigned char* der = nullptr;
        const int n = i2d_SSL_SESSION(v.session.get(), &der);
        if (n <= 0) return 3;
        send_all(out, der, static_cast<std::size_t>(n));
        OPENSSL_free(der);
        return 0;
    });
    const std::string der = receive_all(back.read.get());
    REQUIRE(exit_code(pid) == 0);
    const auto* p = reinterpret_cast<const unsigned char*>(der.data());
    const SessionPtr session(d2i_SSL_SESSION(nullptr, &p, static_cast<long>(der.size())));
    REQUIRE(session != nullptr);
    CHECK(SSL_SESSION_get_ticket_lifetime_hint(session.get()) ==
          static_cast<unsigned long>(server::tls::ticket_lifetime.count()));

    const auto parents = std::make_shared<TlsContext>(f.files, keys);
    const Visit v = visit(f, parents, version, session.get());
    CHECK(v.served);
    CHECK(v.resumed);
    // A store of its own (another run) cannot open it: a full handshake.
    const auto stranger =
        std::make_shared<TlsContext>(f.files, std::make_shared<SharedTicketKeys>());
    CHECK_FALSE(visit(f, stranger, version, session.get()).resumed);
}

TEST_CASE("rotation: a ticket opens while its key is among the kept ones, then no more",
          "[tls][tickets]") {
    Fixture f;
    const auto keys = std::make_shared<SharedTicketKeys>(server::tls::ticket_keys_kept);
    const auto ctx = std::make_shared<TlsContext>(f.files, keys);
    const Visit first = visit(f, ctx, TLS1_3_VERSION, nullptr);
    REQUIRE(first.session != nullptr);
    for (std::size_t rotations = 1; rotations < server::tls::ticket_keys_kept; ++rotations) {
        REQUIRE(keys->rotate());
        CAPTURE(rotations);
        CHECK(visit(f, ctx, TLS1_3_VERSION, first.session.get()).resumed);
    }
    REQUIRE(keys->rotate());  // the key that sealed it drops out
    CHECK_FALSE(visit(f, ctx, TLS1_3_VERSION, first.session.get()).resumed);
}

TEST_CASE("the ring: sealing with the newest key, opening the kept ones, renewing older ones",
          "[tls][tickets]") {
    SharedTicketKeys keys(3);
    for (unsigned char b = 1; b <= 3; ++b) REQUIRE(keys.push(patterned(b)));
    TicketKey out;
    REQUIRE(keys.sealing_key(out));
    CHECK(uniform(out, 3));
    bool renew = true;
    REQUIRE(keys.opening_key(patterned(3).name, out, renew));
    CHECK_FALSE(renew);
    REQUIRE(keys.opening_key(patterned(1).name, out, renew));
    CHECK(uniform(out, 1));
    CHECK(renew);
    REQUIRE(keys.push(patterned(4)));
    CHECK_FALSE(keys.opening_key(patterned(1).name, out, renew));  // dropped out
    TicketKeyRing ring;
    REQUIRE(keys.snapshot(ring));
    CHECK(ring.count == 3);
}

TEST_CASE("readers never see a torn or reordered ring while the writer pushes",
          "[tls][tickets][threads]") {
    // Key i has every byte equal to next(i - 1): a torn copy mixes bytes, a stale neighbour
    // breaks the sequence. Run under TSan too: every shared word is an atomic.
    const auto next = [](unsigned char b) { return static_cast<unsigned char>(b % 250 + 1); };
    SharedTicketKeys keys(3);
    unsigned char b = 1;
    for (int i = 0; i < 3; ++i, b = next(b)) REQUIRE(keys.push(patterned(b)));
    std::atomic<bool> done{false};
    std::atomic<int> bad{0};
    std::atomic<long> reads{0};
    const auto reader = [&] {
        do {
            TicketKeyRing ring;
            if (!keys.snapshot(ring)) continue;  // gave up on a busy ring: allowed, not torn
            reads.fetch_add(1, std::memory_order_relaxed);
            bool ok = ring.count == 3 && uniform(ring.keys[0], ring.keys[0].name[0]);
            for (std::size_t k = 1; ok && k < ring.count; ++k)
                ok = uniform(ring.keys[k], ring.keys[k].name[0]) &&
                     next(ring.keys[k].name[0]) == ring.keys[k - 1].name[0];
            if (!ok) bad.fetch_add(1, std::memory_order_relaxed);
        } while (!done.load(std::memory_order_acquire));
    };
    std::thread r1(reader), r2(reader);
    for (int i = 0; i < 3000; ++i, b = next(b)) keys.push(patterned(b));
    done.store(true, std::memory_order_release);
    r1.join();
    r2.join();
    CHECK(bad.load() == 0);
    CHECK(reads.load() >= 2);  // each reader completed at least its last read
}

TEST_CASE("TicketRotator: due once a period, retried soon where it cannot rotate",
          "[tls][tickets]") {
    SharedTicketKeys keys;
    const auto t0 = TicketRotator::clock::time_point{} + 1000h;
    TicketRotator rotator(&keys, t0, 1h);
    CHECK(rotator.next() == t0 + 1h);
    TicketKey before, after;
    REQUIRE(keys.sealing_key(before));
    CHECK(rotator.tick(t0 + 59min) == TicketRotator::Tick::idle);
    REQUIRE(keys.sealing_key(after));
    CHECK(after.name == before.name);
    CHECK(rotator.tick(t0 + 1h + 1s) == TicketRotator::Tick::rotated);
    REQUIRE(keys.sealing_key(after));
    CHECK(after.name != before.name);
    CHECK(rotator.next() == t0 + 2h + 1s);

    TicketRotator off(nullptr, t0);  // no TLS listener: never due
    CHECK(off.next() == TicketRotator::clock::time_point::max());
    CHECK(off.tick(t0 + 1000h) == TicketRotator::Tick::idle);

    // In a forked child the store refuses: the rotator reports it and retries a minute later.
    Pipe back;
    const pid_t pid = spawn(back, [&](int) {
        TicketRotator child(&keys, t0, 1h);
        if (child.tick(t0 + 1h) != TicketRotator::Tick::failed) return 2;
        return child.next() == t0 + 1h + 1min ? 0 : 3;
    });
    CHECK(exit_code(pid) == 0);
    TicketKey unchanged;
    REQUIRE(keys.sealing_key(unchanged));
    CHECK(unchanged.name == after.name);
}
