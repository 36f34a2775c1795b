// Ring and BufferRing: thin RAII owners of one io_uring instance and of its provided-buffer
// ring, for the uring model (uring_loop.hpp). One thread owns a Ring: it is set up with
// IORING_SETUP_SINGLE_ISSUER and DEFER_TASKRUN where the kernel has them (completions are then
// processed only inside our io_uring_enter, with no IPIs from other CPUs), falling back to
// COOP_TASKRUN, then to no flags; its own descriptor is registered too (IORING_REGISTER_RING_FDS,
// 5.18+), so io_uring_enter skips the fdget of the ring. Nothing here blocks except wait().
#pragma once

#include <liburing.h>

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

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
    // Makes room for the next n SQEs (submitting what is queued if there is less): a linked
    // chain must reach the kernel in one submission. Split by a full queue, its head goes to
    // io-wq as an unfinished link and the rest runs at once, without waiting for it.
    void reserve(unsigned n);
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
// connections. Where the kernel has incremental consumption (IOU_PBUF_RING_INC, 6.12+) the
// buffers are large and filled by parts, one receive after the next, whoever it is for, so
// the loop's receives land in a few warm pages instead of a fresh page each; elsewhere each
// receive takes a small buffer of its own. Either way a receive's bytes are parsed (or copied
// by http::Connection::on_data) before consumed() hands the space back.
class BufferRing {
public:
    static constexpr std::uint16_t group = 0;
    struct Shape {
        unsigned count;
        std::size_t size;
    };

    // `incremental`: the shape to try first with IOU_PBUF_RING_INC; `plain` is used where the
    // kernel refuses it. Throws std::system_error when no ring can be registered (< 5.19).
    explicit BufferRing(Ring& ring, Shape plain, std::optional<Shape> incremental = {});
    ~BufferRing();
    BufferRing(const BufferRing&) = delete;
    BufferRing& operator=(const BufferRing&) = delete;

    // The bytes of a receive completion that used buffer `id`.
    [[nodiscard]] std::span<const std::byte> data(unsigned id, std::size_t len) const noexcept {
        return {base_ + static_cast<std::size_t>(id) * size_ + offset_[id], len};
    }
    // Those bytes are parsed: `more` is the completion's IORING_CQE_F_BUF_MORE (the kernel goes
    // on filling the buffer); otherwise the buffer goes back to the ring.
    void consumed(unsigned id, std::size_t len, bool more) noexcept;
    [[nodiscard]] bool incremental() const noexcept { return incremental_; }

private:
    // Maps and registers `shape`; false when the kernel refuses incremental consumption.
    bool map_and_register(Shape shape, bool incremental);
    void recycle(unsigned id) noexcept;

    Ring& ring_;
    io_uring_buf_ring* br_ = nullptr;
    std::byte* base_ = nullptr;
    std::size_t mapped_ = 0;
    unsigned count_ = 0;
    std::size_t size_ = 0;
    bool incremental_ = false;
    std::vector<std::uint32_t> offset_;  // by id: bytes the kernel has filled so far
};

// A sparse table of registered files (IORING_REGISTER_FILES, 5.19+ for sparse), owned by one
// ring: an SQE naming a slot (IOSQE_FIXED_FILE) skips the fget/fput a plain descriptor costs on
// every send and receive. Slots are filled and emptied by SQEs (IORING_OP_FILES_UPDATE) queued
// in order with the operations that use them, so a connection costs no extra syscall. The slot
// holds its own reference to the socket: the socket closes only once both the descriptor is
// closed and the slot is emptied (release() queues that; the next submit runs it). Where the
// kernel refuses the table, or every slot is taken, install() says -1 and the caller uses the
// plain descriptor.
class FileTable {
public:
    FileTable(Ring& ring, unsigned slots);
    FileTable(const FileTable&) = delete;
    FileTable& operator=(const FileTable&) = delete;

    // Queues an SQE that puts fd in a free slot and returns the SQE (its slot in `slot`), for
    // the caller to tag and to link to the first operation on the slot, which has room in the
    // same submission (Ring::reserve); nullptr and slot -1 when there is no table or no free
    // slot.
    io_uring_sqe* install(int fd, int& slot);
    // Queues the SQE that empties `slot` (its completion, posted only on failure, tagged
    // `user_data`) and frees the slot for the next install().
    void release(int slot, std::uint64_t user_data);
    [[nodiscard]] std::size_t free_slots() const noexcept { return free_.size(); }

private:
    Ring& ring_;
    // What each slot's update reads: the kernel copies the value at submit, so the storage
    // must outlive the queued SQE, which a vector that never grows does.
    std::vector<int> fds_;
    std::vector<int> free_;  // a stack: the slot freed last is reused first (warm)
    int empty_ = -1;         // what release()'s update reads: no file
};

}  // namespace server
