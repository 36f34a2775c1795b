#include "server/tls/ticket_keys.hpp"

#include <algorithm>
#include <stdexcept>

#include <openssl/rand.h>

namespace server::tls {

bool make_ticket_key(TicketKey& out) noexcept {
    return RAND_bytes(out.name.data(), static_cast<int>(out.name.size())) == 1 &&
           RAND_bytes(out.aes.data(), static_cast<int>(out.aes.size())) == 1 &&
           RAND_bytes(out.hmac.data(), static_cast<int>(out.hmac.size())) == 1;
}

void push_ticket_key(TicketKeyRing& ring, const TicketKey& key, std::size_t keep) noexcept {
    keep = std::clamp<std::size_t>(keep, 1, TicketKeyRing::capacity);
    const std::size_t kept = std::min(ring.count, keep - 1);
    std::copy_backward(ring.keys.begin(), ring.keys.begin() + static_cast<std::ptrdiff_t>(kept),
                       ring.keys.begin() + static_cast<std::ptrdiff_t>(kept + 1));
    ring.keys[0] = key;
    ring.count = kept + 1;
}

bool ring_sealing_key(const TicketKeyRing& ring, TicketKey& out) noexcept {
    if (ring.count == 0) return false;
    out = ring.keys[0];
    return true;
}

bool ring_opening_key(const TicketKeyRing& ring, std::span<const unsigned char, 16> name,
                      TicketKey& out, bool& renew) noexcept {
    for (std::size_t i = 0; i < ring.count && i < TicketKeyRing::capacity; ++i) {
        if (std::equal(name.begin(), name.end(), ring.keys[i].name.begin())) {
            out = ring.keys[i];
            renew = i != 0;
            return true;
        }
    }
    return false;
}

LocalTicketKeys::LocalTicketKeys(std::size_t keep) : keep_(keep) {
    if (!rotate()) throw std::runtime_error("tls: no random bytes for the session-ticket key");
}

bool LocalTicketKeys::rotate() noexcept {
    TicketKey key;
    if (!make_ticket_key(key)) return false;
    const std::lock_guard lock(mutex_);
    push_ticket_key(ring_, key, keep_);
    return true;
}

bool LocalTicketKeys::sealing_key(TicketKey& out) const noexcept {
    const std::lock_guard lock(mutex_);
    return ring_sealing_key(ring_, out);
}

bool LocalTicketKeys::opening_key(std::span<const unsigned char, 16> name, TicketKey& out,
                                  bool& renew) const noexcept {
    const std::lock_guard lock(mutex_);
    return ring_opening_key(ring_, name, out, renew);
}

}  // namespace server::tls
