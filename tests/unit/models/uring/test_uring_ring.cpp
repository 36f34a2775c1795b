// Ring, BufferRing and FileTable (models/uring/uring_ring.hpp) on a socket pair, no server:
// receives into an incrementally consumed buffer ring land one after another in the same
// buffer at the offsets BufferRing::data() reports, and a receive through a registered-file
// slot sees the socket the slot was given, also when the install took the queue's last SQE.
// Skipped with a warning where io_uring is unusable.
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "base/unique_fd.hpp"
#include "models/uring/uring_ring.hpp"
#include "unit/models/uring/uring_usable.hpp"

namespace {

struct SocketPair {
    poly::UniqueFd a, b;
    SocketPair() {
        int sv[2];
        REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == 0);
        a.reset(sv[0]);
        b.reset(sv[1]);
    }
};

void arm_multishot_recv(server::Ring& ring, int fd, bool fixed) {
    io_uring_sqe* s = ring.sqe();
    io_uring_prep_recv_multishot(s, fd, nullptr, 0, 0);
    s->flags |= IOSQE_BUFFER_SELECT | (fixed ? IOSQE_FIXED_FILE : 0);
    s->buf_group = server::BufferRing::group;
    io_uring_sqe_set_data64(s, 1);
}

// Sends `bytes` into the pair and returns the receive completion's text, checking that it
// used buffer `*id` (any buffer when *id is -1, which is then set), and hands the space back.
std::string receive_one(server::Ring& ring, server::BufferRing& buffers, int writer,
                        std::string_view bytes, int* id) {
    REQUIRE(::write(writer, bytes.data(), bytes.size()) == static_cast<ssize_t>(bytes.size()));
    io_uring_cqe* cqe = nullptr;
    REQUIRE(io_uring_wait_cqe(ring.get(), &cqe) == 0);
    const io_uring_cqe got = *cqe;
    io_uring_cqe_seen(ring.get(), cqe);
    REQUIRE(got.res == static_cast<int>(bytes.size()));
    REQUIRE((got.flags & IORING_CQE_F_BUFFER) != 0);
    const auto used = static_cast<int>(got.flags >> IORING_CQE_BUFFER_SHIFT);
    if (*id >= 0) CHECK(used == *id);
    *id = used;
    const auto span = buffers.data(static_cast<unsigned>(used), bytes.size());
    std::string text(reinterpret_cast<const char*>(span.data()), span.size());
    buffers.consumed(static_cast<unsigned>(used), bytes.size(), (got.flags & (1U << 4)) != 0);
    return text;
}

}  // namespace

TEST_CASE("uring ring: incremental buffers take receive after receive at the right offsets",
          "[uring]") {
    if (!test::uring_usable()) return;
    server::Ring ring(8);
    server::BufferRing buffers(ring, {4, 64}, server::BufferRing::Shape{2, 4096});
    if (!buffers.incremental()) {
        WARN("skipped: this kernel has no incremental buffer consumption (before 6.12)");
        return;
    }
    SocketPair p;
    arm_multishot_recv(ring, p.a.get(), false);
    ring.submit();
    int id = -1;
    CHECK(receive_one(ring, buffers, p.b.get(), "GET /a", &id) == "GET /a");
    // The same buffer, filled further: the bytes come from where the first receive ended.
    CHECK(receive_one(ring, buffers, p.b.get(), "GET /bb", &id) == "GET /bb");
    CHECK(receive_one(ring, buffers, p.b.get(), "GET /ccc", &id) == "GET /ccc");
}

TEST_CASE("uring ring: a receive through a registered-file slot reads that socket", "[uring]") {
    if (!test::uring_usable()) return;
    server::Ring ring(8);
    server::BufferRing buffers(ring, {4, 64});
    server::FileTable files(ring, 4);
    REQUIRE(files.free_slots() == 4);
    SocketPair p;
    int slot = -1;
    io_uring_sqe* install = files.install(p.a.get(), slot);
    REQUIRE(install != nullptr);
    REQUIRE(slot >= 0);
    CHECK(files.free_slots() == 3);
    install->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
    io_uring_sqe_set_data64(install, 2);
    arm_multishot_recv(ring, slot, true);
    ring.submit();
    int id = -1;
    CHECK(receive_one(ring, buffers, p.b.get(), "hello", &id) == "hello");
    files.release(slot, 3);
    CHECK(files.free_slots() == 4);
}

// An install that lands in the last free SQE: were the queue submitted between it and its
// linked receive, the kernel would hand the lone link head to io-wq and run the receive at once,
// on a slot still empty (EBADF): under a burst of accepts, a connection reset with its request
// unread. install() makes room for both, so they go to the kernel in one submission.
TEST_CASE("uring ring: an install and its linked receive are never split across submissions",
          "[uring]") {
    if (!test::uring_usable()) return;
    server::Ring ring(4);
    server::BufferRing buffers(ring, {4, 64});
    server::FileTable files(ring, 4);
    for (int i = 0; i < 3; ++i) {  // the queue is left with one free SQE
        io_uring_sqe* s = ring.sqe();
        io_uring_prep_nop(s);
        io_uring_sqe_set_data64(s, 0);
    }
    SocketPair p;
    int slot = -1;
    io_uring_sqe* install = files.install(p.a.get(), slot);
    REQUIRE(install != nullptr);
    install->flags |= IOSQE_IO_LINK | IOSQE_CQE_SKIP_SUCCESS;
    io_uring_sqe_set_data64(install, 2);
    arm_multishot_recv(ring, slot, true);
    CHECK(io_uring_sq_ready(ring.get()) == 2);  // the nops went first; the pair waits together
    ring.submit();
    for (int i = 0; i < 3; ++i) {  // the nops' completions
        io_uring_cqe* cqe = nullptr;
        REQUIRE(io_uring_wait_cqe(ring.get(), &cqe) == 0);
        REQUIRE(io_uring_cqe_get_data64(cqe) == 0);
        io_uring_cqe_seen(ring.get(), cqe);
    }
    int id = -1;
    CHECK(receive_one(ring, buffers, p.b.get(), "GET /", &id) == "GET /");
}
