#include "server/tls/shared_ticket_keys.hpp"

#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cstdint>
#include <cstring>
#include <new>
#include <stdexcept>
#include <system_error>
#include <type_traits>

namespace server::tls {

using Word = std::uint64_t;
constexpr std::size_t key_words = sizeof(TicketKey) / sizeof(Word);

static_assert(std::is_trivially_copyable_v<TicketKey> && sizeof(TicketKey) % sizeof(Word) == 0,
              "a TicketKey is copied word by word through the shared ring");
static_assert(std::atomic<Word>::is_always_lock_free,
              "shared-memory words must be lock-free to work across processes");

// The mapping's contents. seq is even while the ring is stable, odd while the writer changes
// it. Zero-filled by the kernel: seq 0, no key (the constructor pushes the first one).
struct SharedTicketKeys::Ring {
    std::atomic<Word> seq;
    std::atomic<Word> count;
    std::atomic<Word> words[TicketKeyRing::capacity][key_words];
};

namespace {

// A reader spins this many times on a rotation in progress before it yields the CPU, and
// gives up after max_reads (the handshake then goes on without a ticket). A rotation copies
// 320 bytes; only a writer descheduled mid-copy, or dead, exhausts the bound.
constexpr unsigned spin_reads = 64;
constexpr unsigned max_reads = 4096;

}  // namespace

void SharedTicketKeys::Unmap::operator()(Ring* r) const noexcept { ::munmap(r, sizeof(Ring)); }

SharedTicketKeys::SharedTicketKeys(std::size_t keep) : keep_(keep), writer_pid_(::getpid()) {
    void* mem =
        ::mmap(nullptr, sizeof(Ring), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (mem == MAP_FAILED)
        throw std::system_error(errno, std::generic_category(), "mmap session-ticket keys");
    ring_.reset(new (mem) Ring{});
    if (!rotate()) throw std::runtime_error("tls: no random bytes for the session-ticket key");
}

SharedTicketKeys::~SharedTicketKeys() = default;

bool SharedTicketKeys::writer() const noexcept { return ::getpid() == writer_pid_; }

bool SharedTicketKeys::rotate() noexcept {
    TicketKey key;
    return writer() && make_ticket_key(key) && push(key);
}

// Release stores: a reader whose acquire load sees any new word also sees the odd seq stored
// before it, so its closing seq check fails and it reads again.
bool SharedTicketKeys::push(const TicketKey& key) noexcept {
    if (!writer()) return false;
    const std::lock_guard lock(write_mutex_);
    TicketKeyRing next;
    if (!snapshot(next)) return false;  // only this process writes, and it holds the lock
    push_ticket_key(next, key, keep_);
    Ring& r = *ring_;
    const Word seq = r.seq.load(std::memory_order_relaxed);
    r.seq.store(seq + 1, std::memory_order_relaxed);
    for (std::size_t k = 0; k < TicketKeyRing::capacity; ++k) {
        Word words[key_words];
        std::memcpy(words, &next.keys[k], sizeof words);
        for (std::size_t w = 0; w < key_words; ++w)
            r.words[k][w].store(words[w], std::memory_order_release);
    }
    r.count.store(next.count, std::memory_order_release);
    r.seq.store(seq + 2, std::memory_order_release);
    return true;
}

bool SharedTicketKeys::snapshot(TicketKeyRing& out) const noexcept {
    const Ring& r = *ring_;
    for (unsigned attempt = 0; attempt < max_reads; ++attempt) {
        if (attempt >= spin_reads) ::sched_yield();
        const Word before = r.seq.load(std::memory_order_acquire);
        if ((before & 1) != 0) continue;  // a rotation is under way
        const Word count = r.count.load(std::memory_order_acquire);
        Word words[TicketKeyRing::capacity][key_words];
        for (std::size_t k = 0; k < TicketKeyRing::capacity; ++k)
            for (std::size_t w = 0; w < key_words; ++w)
                words[k][w] = r.words[k][w].load(std::memory_order_acquire);
        if (r.seq.load(std::memory_order_relaxed) != before) continue;  // torn: read again
        for (std::size_t k = 0; k < TicketKeyRing::capacity; ++k)
            std::memcpy(&out.keys[k], words[k], sizeof(TicketKey));
        out.count = std::min<std::size_t>(count, TicketKeyRing::capacity);
        return true;
    }
    return false;
}

bool SharedTicketKeys::sealing_key(TicketKey& out) const noexcept {
    TicketKeyRing ring;
    return snapshot(ring) && ring_sealing_key(ring, out);
}

bool SharedTicketKeys::opening_key(std::span<const unsigned char, 16> name, TicketKey& out,
                                   bool& renew) const noexcept {
    TicketKeyRing ring;
    return snapshot(ring) && ring_opening_key(ring, name, out, renew);
}

TicketRotator::TicketRotator(SharedTicketKeys* keys, clock::time_point now, clock::duration period)
    : keys_(keys),
      period_(period),
      next_(keys != nullptr ? now + period : clock::time_point::max()) {}

TicketRotator::Tick TicketRotator::tick(clock::time_point now) noexcept {
    if (keys_ == nullptr || now < next_) return Tick::idle;
    if (keys_->rotate()) {
        next_ = now + period_;
        return Tick::rotated;
    }
    // Keep the old keys and try again soon: they stay valid, only older than planned.
    next_ = now + std::min<clock::duration>(period_, std::chrono::minutes(1));
    return Tick::failed;
}

SharedTicketKeys& process_ticket_store() {
    // Never freed: a handshake on a thread that outlives main() may still read it.
    static SharedTicketKeys* const store = new SharedTicketKeys();
    return *store;
}

std::shared_ptr<const TicketKeys> process_ticket_keys() {
    // Non-owning (the aliasing constructor with an empty owner): the store is never freed.
    return std::shared_ptr<const TicketKeys>(std::shared_ptr<const TicketKeys>(),
                                             &process_ticket_store());
}

}  // namespace server::tls
