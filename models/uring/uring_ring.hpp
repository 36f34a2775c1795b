// Ring and BufferRing: thin RAII owners of one io_uring instance and of its provided-buffer
// ring, for the uring model (uring_loop.hpp). One thread owns a Ring: it is set up with
// IORING_SETUP_SINGLE_ISSUER and DEFER_TASKRUN where the kernel has them (completions are then
// processed only inside our io_uring_enter, with no IPIs from other CPUs), falling back to
// COOP_TASKRUN, then to no flags. Nothing here blocks except wait().
#pragma once

#include <liburing.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <span>

namespace server {

class Ring {
public:
    // Throws std::system_error when io_uring_setup fails (the model probes before this).
    explicit Ring(unsigned entries);
    ~Ring();
    Ring(const Ring&) = delete;
    Ring& operator=(const Ring&) = delete;

    // A free SQE, zeroed by the prep helpers; when the queue is full the queued ones are
    // submitted first, so this never fails.
    io_uring_sqe* sqe();
    // Submits what is queued and waits for at least one completion or until `timeout`
    // (nullopt-like: a negative duration waits without bound). EINTR and ETIME are normal.
    void submit_and_wait(std::chrono::nanoseconds timeout);
    void submit();

    // Calls f(cqe) for every completion ready now and marks them seen.
    template <typename F>
    unsigned for_each_completion(F&& f) {
        unsigned head;
        unsigned n = 0;
        io_uring_cqe* cqe;
        io_uring_for_each_cqe(&ring_, head, cqe) {
            f(*cqe);
            ++n;
        }
        io_uring_cq_advance(&ring_, n);
        return n;
    }

    [[nodiscard]] io_uring* get() noexcept { return &ring_; }

private:
    io_uring ring_{};
};

// A ring of equal-sized receive buffers the kernel picks from (IOSQE_BUFFER_SELECT), so an
// idle connection owns no receive buffer: memory follows the data in flight, not the number of
// connections. A buffer is handed back with recycle() as soon as its bytes are parsed
// (http::Connection::on_data copies what it cannot parse yet).
class BufferRing {
public:
    static constexpr std::uint16_t group = 0;

    // Throws std::system_error when the ring cannot be registered (kernel < 5.19).
    BufferRing(Ring& ring, unsigned count, std::size_t size);
    ~BufferRing();
    BufferRing(const BufferRing&) = delete;
    BufferRing& operator=(const BufferRing&) = delete;

    [[nodiscard]] std::span<const std::byte> data(unsigned id, std::size_t len) const noexcept {
        return {base_ + static_cast<std::size_t>(id) * size_, len};
    }
    void recycle(unsigned id) noexcept;

private:
    Ring& ring_;
    io_uring_buf_ring* br_ = nullptr;
    std::byte* base_ = nullptr;
    std::size_t mapped_ = 0;
    unsigned count_;
    std::size_t size_;
};

}  // namespace server
