// Session-ticket keys: what seals the tickets a TlsContext issues and opens the ones clients
// bring back. A TlsContext only reads the store (from its ticket callback, on whichever thread
// runs a handshake); whoever owns the store rotates it. Two contexts reading one store resume
// each other's sessions, which is how every worker of a model, and every fork or prefork child
// (the run's store lives in shared memory: shared_ticket_keys.hpp), accepts any other's tickets.
// Nothing here blocks or allocates on the handshake path.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <span>

namespace server::tls {

// The run's rotation: a new sealing key every period, `kept` keys in the ring. A ticket opens
// while the key that sealed it is in the ring: (kept - 1) to kept periods after it was issued,
// depending on where in its period it was. Contexts advertise the lower bound as the session
// lifetime (SSL_CTX_set_timeout, hence the ticket lifetime hint), so a client never holds a
// ticket it believes valid that the server can no longer open.
inline constexpr std::chrono::seconds ticket_rotation_period{3600};
inline constexpr std::size_t ticket_keys_kept = 3;
inline constexpr std::chrono::seconds ticket_lifetime =
    ticket_rotation_period * static_cast<long>(ticket_keys_kept - 1);

// One key: its name travels in the ticket, so the store can find the key that sealed it.
// Trivially copyable on purpose: a ring of these can live in a MAP_SHARED page.
struct TicketKey {
    std::array<unsigned char, 16> name{};
    std::array<unsigned char, 32> aes{};   // AES-256-CBC, as OpenSSL's own ticket format
    std::array<unsigned char, 32> hmac{};  // HMAC-SHA256 over the sealed ticket
};

// The keys in use: keys[0] seals new tickets; keys[1..count) are older ones that still open
// tickets (which are then renewed under keys[0]).
struct TicketKeyRing {
    static constexpr std::size_t capacity = 4;
    std::array<TicketKey, capacity> keys{};
    std::size_t count = 0;
};

class TicketKeys {
public:
    virtual ~TicketKeys() = default;
    // The key to seal a new ticket with; false: issue no ticket.
    virtual bool sealing_key(TicketKey& out) const noexcept = 0;
    // The key named `name`; false when unknown (rotated out: a full handshake follows).
    // `renew` is set when it is no longer the sealing key, so the client gets a fresh ticket.
    virtual bool opening_key(std::span<const unsigned char, 16> name, TicketKey& out,
                             bool& renew) const noexcept = 0;
};

// Fills a key with fresh random bytes; false when the random generator fails.
[[nodiscard]] bool make_ticket_key(TicketKey& out) noexcept;
// Puts a new sealing key in front and keeps at most `keep` keys (older ones drop out).
void push_ticket_key(TicketKeyRing& ring, const TicketKey& key, std::size_t keep) noexcept;
// The lookups of TicketKeys over a ring, for any implementation that holds one.
bool ring_sealing_key(const TicketKeyRing& ring, TicketKey& out) noexcept;
bool ring_opening_key(const TicketKeyRing& ring, std::span<const unsigned char, 16> name,
                      TicketKey& out, bool& renew) noexcept;

// A process-local store: one ring behind a mutex, shared by the threads of one process (tests,
// and contexts that must not share the run's keys). With keep = 3 a ticket stays usable for
// two rotations after it was issued.
class LocalTicketKeys final : public TicketKeys {
public:
    // Starts with one fresh key; throws std::runtime_error if the random generator fails.
    explicit LocalTicketKeys(std::size_t keep = ticket_keys_kept);
    // A new sealing key; false (nothing changed) if the random generator fails.
    bool rotate() noexcept;

    bool sealing_key(TicketKey& out) const noexcept override;
    bool opening_key(std::span<const unsigned char, 16> name, TicketKey& out,
                     bool& renew) const noexcept override;

private:
    std::size_t keep_;
    mutable std::mutex mutex_;
    TicketKeyRing ring_;
};

// The run's store, shared by every worker and process of the model: a SharedTicketKeys
// (shared_ticket_keys.hpp) created on first use, which must come before any fork (make_runtime
// runs before the model), and never freed. Rotated by the master only (TicketRotator).
// Throws std::system_error if it cannot be mapped, std::runtime_error without random bytes.
std::shared_ptr<const TicketKeys> process_ticket_keys();

}  // namespace server::tls
