// Spare buffers for TlsStreams, kept per thread. A kept-alive TLS connection gives its BIO
// pair and plaintext buffer back whenever it goes idle (so 10,000 idle connections hold none),
// and takes them again when the next request arrives, often microseconds later: allocating
// and freeing about 37 KiB in several pieces per request cost a quarter of a keep-alive
// request's CPU. So what a stream gives back waits in its thread's few spares for the next
// stream that needs one. Each thread holds at most `max_spares` of each, so memory stays
// bounded by threads, not connections. Called on the stream's thread only; nothing blocks.
#pragma once

#include <cstddef>
#include <memory>

#include "server/tls/openssl_ptr.hpp"

namespace server::tls {

// The BIO pair's ciphertext buffers. Out holds one full record (16 KiB plaintext and its
// overhead) so a record leaves in one piece; in only feeds OpenSSL, which keeps its own
// record buffer, so a small one costs a few more recv()s on uploads, which HTTP GETs lack.
inline constexpr std::size_t cipher_out_size = 17 * 1024;
inline constexpr std::size_t cipher_in_size = 4 * 1024;
inline constexpr std::size_t plain_size = 16 * 1024;  // the largest TLS record's plaintext
inline constexpr std::size_t max_spares = 16;

// A BIO pair: `inner` (one reference, for SSL_set_bio) and `outer`, the transport's end.
struct BioPair {
    BioPtr inner;
    BioPtr outer;
};

// A spare pair of this thread, or a new one; both null when OpenSSL cannot allocate.
BioPair take_bio_pair() noexcept;
// Keeps the pair as a spare if this thread has room, else frees it. Both ends must be empty
// and open (neither side shut down): a spare must look new.
void give_bio_pair(BioPair pair) noexcept;

// A plaintext buffer of plain_size bytes; throws std::bad_alloc like new.
std::unique_ptr<std::byte[]> take_plain_buffer();
void give_plain_buffer(std::unique_ptr<std::byte[]> buffer) noexcept;

// Spares this thread holds now (pairs, plaintext buffers), for tests.
[[nodiscard]] std::size_t spare_bio_pairs() noexcept;
[[nodiscard]] std::size_t spare_plain_buffers() noexcept;

}  // namespace server::tls
