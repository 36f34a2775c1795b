#include "models/uring/uring_ring.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <system_error>

namespace server {
namespace {

int setup(unsigned entries, io_uring& ring) {
    // Larger completion queue than submission queue: one multishot receive or accept can
    // post many completions per submission.
    const unsigned base = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL;
    const unsigned tries[] = {
        base | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN,  // 6.1+
        base | IORING_SETUP_COOP_TASKRUN,                                // 5.19+
        IORING_SETUP_CQSIZE,
    };
    int rc = -EINVAL;
    for (const unsigned flags : tries) {
        io_uring_params p{};
        p.flags = flags;
        p.cq_entries = entries * 4;
        rc = io_uring_queue_init_params(entries, &ring, &p);
        if (rc != -EINVAL) return rc;
    }
    return rc;
}

}  // namespace

Ring::Ring(unsigned entries) {
    if (const int rc = setup(entries, ring_); rc < 0)
        throw std::system_error(-rc, std::generic_category(), "io_uring_setup");
}

Ring::~Ring() { io_uring_queue_exit(&ring_); }

io_uring_sqe* Ring::sqe() {
    for (;;) {
        if (io_uring_sqe* s = io_uring_get_sqe(&ring_)) return s;
        io_uring_submit(&ring_);
    }
}

void Ring::submit() { io_uring_submit(&ring_); }

void Ring::submit_and_wait(std::chrono::nanoseconds timeout) {
    io_uring_cqe* cqe = nullptr;
    if (timeout.count() < 0) {
        io_uring_submit_and_wait(&ring_, 1);
        return;
    }
    __kernel_timespec ts{};
    ts.tv_sec = static_cast<long long>(timeout.count() / 1'000'000'000);
    ts.tv_nsec = static_cast<long long>(timeout.count() % 1'000'000'000);
    // With IORING_FEAT_EXT_ARG the timeout is an argument of io_uring_enter, not an SQE.
    io_uring_submit_and_wait_timeout(&ring_, &cqe, 1, &ts, nullptr);
}

BufferRing::BufferRing(Ring& ring, unsigned count, std::size_t size)
    : ring_(ring), count_(count), size_(size) {
    const std::size_t ring_bytes = sizeof(io_uring_buf) * count;
    mapped_ = ring_bytes + count * size;
    void* mem =
        ::mmap(nullptr, mapped_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    br_ = static_cast<io_uring_buf_ring*>(mem);
    base_ = static_cast<std::byte*>(mem) + ring_bytes;
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(br_);
    reg.ring_entries = count;
    reg.bgid = group;
    if (const int rc = io_uring_register_buf_ring(ring_.get(), &reg, 0); rc < 0) {
        ::munmap(mem, mapped_);
        throw std::system_error(-rc, std::generic_category(), "io_uring_register_buf_ring");
    }
    io_uring_buf_ring_init(br_);
    const int mask = io_uring_buf_ring_mask(count);
    for (unsigned i = 0; i < count; ++i)
        io_uring_buf_ring_add(br_, base_ + i * size_, static_cast<unsigned>(size_),
                              static_cast<unsigned short>(i), mask, static_cast<int>(i));
    io_uring_buf_ring_advance(br_, static_cast<int>(count));
}

BufferRing::~BufferRing() {
    io_uring_unregister_buf_ring(ring_.get(), group);
    ::munmap(br_, mapped_);
}

void BufferRing::recycle(unsigned id) noexcept {
    io_uring_buf_ring_add(br_, base_ + static_cast<std::size_t>(id) * size_,
                          static_cast<unsigned>(size_), static_cast<unsigned short>(id),
                          io_uring_buf_ring_mask(count_), 0);
    io_uring_buf_ring_advance(br_, 1);
}

}  // namespace server
