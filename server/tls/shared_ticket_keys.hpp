// SharedTicketKeys: the session-ticket key ring of the whole run, in one MAP_SHARED anonymous
// mapping made before any fork, so the master, every forked child and every prefork worker
// seal and open tickets with the same keys and resume each other's sessions.
//
// Readers: sealing_key()/opening_key(), from the ticket callback of any handshake, in any
// process and on any thread at once. They neither allocate nor block: a seqlock snapshot of the
// ring, retried while a rotation is under way (bounded; see snapshot()).
// Writer: rotate()/push(), in the process that constructed the store only (the master: its
// control thread, through TicketRotator, once an hour). In any other process they refuse and
// change nothing, so a forked child can never rotate under its siblings.
//
// Why a seqlock and not a process-shared robust mutex: a rotation happens once an hour, reads
// happen on every handshake, in processes that may be killed at any instant. A reader of a
// seqlock holds nothing, so a worker killed mid-read leaves nothing to repair (a mutex would
// need EOWNERDEAD handling on every read path), and a handshake never sleeps behind a
// descheduled writer. Every word of the ring is a std::atomic (relaxed loads and stores
// ordered by acquire/release on the words themselves, no fences), so there is no data race in
// the C++ sense and ThreadSanitizer has nothing to report; a torn key is caught by the
// sequence check and read again, never used.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <span>

#include "server/tls/ticket_keys.hpp"

namespace server::tls {

class SharedTicketKeys final : public TicketKeys {
public:
    // Maps the ring and seals with one fresh key; the calling process becomes the writer.
    // Throws std::system_error if the mapping fails, std::runtime_error without random bytes.
    explicit SharedTicketKeys(std::size_t keep = ticket_keys_kept);
    ~SharedTicketKeys() override;  // unmaps (the process store lives until exit)
    SharedTicketKeys(const SharedTicketKeys&) = delete;
    SharedTicketKeys& operator=(const SharedTicketKeys&) = delete;

    // A fresh sealing key in front; the oldest beyond `keep` drops out. False, and nothing
    // changed, in a process other than the writer or when the random generator fails.
    bool rotate() noexcept;
    // The same with a given key (tests choose their bytes). False in another process.
    bool push(const TicketKey& key) noexcept;
    // Whether the calling process is the one that may rotate.
    [[nodiscard]] bool writer() const noexcept;

    bool sealing_key(TicketKey& out) const noexcept override;
    bool opening_key(std::span<const unsigned char, 16> name, TicketKey& out,
                     bool& renew) const noexcept override;
    // A consistent copy of the ring. False only if rotations kept it changing for every
    // retry (or a writer died mid-rotation): the handshake then goes on without a ticket.
    bool snapshot(TicketKeyRing& out) const noexcept;

private:
    struct Ring;  // what lives in the mapping
    struct Unmap {
        void operator()(Ring* r) const noexcept;
    };

    std::unique_ptr<Ring, Unmap> ring_;
    std::size_t keep_;
    pid_t writer_pid_;
    // Serialises writers among the writer process's threads; process-local on purpose: a
    // child inherits a copy (locked, if the fork caught a rotation) but never writes.
    std::mutex write_mutex_;
};

// The hourly rotation of a store, driven by the master's control thread: it asks next() for
// its poll deadline and calls tick() when it wakes. The clock is the caller's, so tests step
// it. Not thread-safe: one owner thread.
class TicketRotator {
public:
    using clock = std::chrono::steady_clock;
    enum class Tick { idle, rotated, failed };
    // `keys` may be null (no TLS listener): then nothing is ever due.
    TicketRotator(SharedTicketKeys* keys, clock::time_point now,
                  clock::duration period = ticket_rotation_period);
    // When the next rotation is due (time_point::max() without a store).
    [[nodiscard]] clock::time_point next() const noexcept { return next_; }
    // Rotates if due. A failed rotation (no random bytes) is retried a minute later rather
    // than a period later, keeping the old keys meanwhile.
    Tick tick(clock::time_point now) noexcept;

private:
    SharedTicketKeys* keys_;
    clock::duration period_;
    clock::time_point next_;
};

// The run's store (what process_ticket_keys() hands to every TlsContext), for its writer.
// Created on first use, which must come before any fork.
SharedTicketKeys& process_ticket_store();

}  // namespace server::tls
