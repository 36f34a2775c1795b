#include "models/uring/uring_ring.hpp"

#include <sys/mman.h>

#include <cerrno>
#include <system_error>

namespace server {
namespace {

// Incremental buffer consumption (Linux 6.12), newer than this liburing's headers.
constexpr std::uint16_t pbuf_ring_inc = 2;  // IOU_PBUF_RING_INC

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
    // Best effort: without it io_uring_enter looks the ring's descriptor up each time.
    io_uring_register_ring_fd(&ring_);
}

Ring::~Ring() { io_uring_queue_exit(&ring_); }

io_uring_sqe* Ring::sqe() {
    for (;;) {
        if (io_uring_sqe* s = io_uring_get_sqe(&ring_)) return s;
        io_uring_submit(&ring_);
    }
}

void Ring::reserve(unsigned n) {
    while (io_uring_sq_space_left(&ring_) < n) io_uring_submit(&ring_);
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

BufferRing::BufferRing(Ring& ring, Shape plain, std::optional<Shape> incremental) : ring_(ring) {
    if (incremental && map_and_register(*incremental, true)) return;
    map_and_register(plain, false);
}

bool BufferRing::map_and_register(Shape shape, bool incremental) {
    const std::size_t ring_bytes = sizeof(io_uring_buf) * shape.count;
    const std::size_t mapped = ring_bytes + shape.count * shape.size;
    void* mem = ::mmap(nullptr, mapped, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED) throw std::system_error(errno, std::generic_category(), "mmap");
    io_uring_buf_reg reg{};
    reg.ring_addr = reinterpret_cast<std::uintptr_t>(mem);
    reg.ring_entries = shape.count;
    reg.bgid = group;
    reg.pad = incremental ? pbuf_ring_inc : 0;  // the kernel's `flags` field
    if (const int rc = io_uring_register_buf_ring(ring_.get(), &reg, 0); rc < 0) {
        ::munmap(mem, mapped);
        if (incremental && rc == -EINVAL) return false;
        throw std::system_error(-rc, std::generic_category(), "io_uring_register_buf_ring");
    }
    br_ = static_cast<io_uring_buf_ring*>(mem);
    base_ = static_cast<std::byte*>(mem) + ring_bytes;
    mapped_ = mapped;
    count_ = shape.count;
    size_ = shape.size;
    incremental_ = incremental;
    offset_.assign(count_, 0);
    io_uring_buf_ring_init(br_);
    const int mask = io_uring_buf_ring_mask(count_);
    for (unsigned i = 0; i < count_; ++i)
        io_uring_buf_ring_add(br_, base_ + i * size_, static_cast<unsigned>(size_),
                              static_cast<unsigned short>(i), mask, static_cast<int>(i));
    io_uring_buf_ring_advance(br_, static_cast<int>(count_));
    return true;
}

BufferRing::~BufferRing() {
    io_uring_unregister_buf_ring(ring_.get(), group);
    ::munmap(br_, mapped_);
}

void BufferRing::consumed(unsigned id, std::size_t len, bool more) noexcept {
    if (incremental_ && more) {
        offset_[id] += static_cast<std::uint32_t>(len);
        return;
    }
    offset_[id] = 0;
    recycle(id);
}

void BufferRing::recycle(unsigned id) noexcept {
    io_uring_buf_ring_add(br_, base_ + static_cast<std::size_t>(id) * size_,
                          static_cast<unsigned>(size_), static_cast<unsigned short>(id),
                          io_uring_buf_ring_mask(count_), 0);
    io_uring_buf_ring_advance(br_, 1);
}

FileTable::FileTable(Ring& ring, unsigned slots) : ring_(ring) {
    if (slots == 0 || io_uring_register_files_sparse(ring_.get(), slots) < 0) return;
    fds_.assign(slots, -1);
    free_.reserve(slots);
    for (unsigned i = slots; i > 0; --i) free_.push_back(static_cast<int>(i - 1));
}

io_uring_sqe* FileTable::install(int fd, int& slot) {
    slot = -1;
    if (free_.empty()) return nullptr;
    slot = free_.back();
    free_.pop_back();
    fds_[static_cast<std::size_t>(slot)] = fd;
    ring_.reserve(2);  // this update and the operation linked after it
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_files_update(s, &fds_[static_cast<std::size_t>(slot)], 1, slot);
    return s;
}

void FileTable::release(int slot, std::uint64_t user_data) {
    if (slot < 0) return;
    io_uring_sqe* s = ring_.sqe();
    io_uring_prep_files_update(s, &empty_, 1, slot);
    io_uring_sqe_set_data64(s, user_data);
    s->flags |= IOSQE_CQE_SKIP_SUCCESS;
    fds_[static_cast<std::size_t>(slot)] = -1;
    free_.push_back(slot);
}

}  // namespace server
