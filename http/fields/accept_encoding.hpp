// Accept-Encoding (RFC 9110 §12.5.3): which content coding to send. Called by the static
// handler once per request on the connection's thread. Pure functions: no allocation, no
// blocking, thread-safe; linear in the header's length (a header of thousands of entries costs
// one pass, and the head limit bounds the header anyway).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>

namespace http {

// The codings polyhttpd can send; identity means "as the file is".
enum class Coding : std::uint8_t { identity, gzip, br, zstd };

// "gzip", "br", "zstd"; empty for identity. Static storage (Response keeps the view).
std::string_view coding_name(Coding c) noexcept;
// The inverse, for the configuration's names ("gzip", "br", "zstd"); "x-gzip" is gzip.
std::optional<Coding> coding_from_name(std::string_view name) noexcept;

// The header's q-values (in thousandths, 0..1000) for the codings above and "*".
class AcceptEncoding {
public:
    static AcceptEncoding parse(std::string_view header) noexcept;
    // The q-value that applies to `c`: its own entry, else "*", else 0. For identity, absent
    // both, 1000: identity is acceptable unless "identity;q=0" or "*;q=0" says otherwise.
    [[nodiscard]] int quality(Coding c) const noexcept;
    // Whether the header names `c` itself (not through "*").
    [[nodiscard]] bool names(Coding c) const noexcept { return q_[index(c)] >= 0; }

private:
    static constexpr std::size_t index(Coding c) noexcept { return static_cast<std::size_t>(c); }
    static constexpr std::size_t star = 4;
    std::int16_t q_[5] = {-1, -1, -1, -1, -1};  // -1: not named
};

// The q of one entry's parameters (what follows the first ';' of an Accept-Encoding or
// Accept entry), in thousandths (RFC 9110 §12.4.2): absent means 1000, a malformed q 0 (bad
// input can only make an entry unacceptable); other parameters are ignored.
int entry_quality(std::string_view params) noexcept;

// Picks among `offered` (the server's order of preference) the coding with the highest q > 0;
// ties go to the earlier one. Identity wins only when the client names it with a q higher
// than that coding's (RFC 9110: the client's preference), or when nothing offered is
// acceptable. That includes "identity;q=0" with nothing acceptable: like nginx, the
// handler then still sends identity rather than 406, which no browser would want to see.
// An empty header (absent, or present and empty) gives identity: every common server
// compresses only when asked to.
Coding negotiate_encoding(std::string_view header, std::span<const Coding> offered) noexcept;

// What the precompressed-sibling lookup needs: may it send a .br or .gz sibling?
struct AcceptedCodings {
    bool br = false;
    bool gzip = false;
};

// A coding is acceptable when its own entry (or, failing that, "*") has q > 0. "x-gzip" counts
// as gzip (RFC 9110 §8.4.1.3). A malformed q-value makes its entry unacceptable, so bad input
// falls back to the identity representation, which is always safe to send.
AcceptedCodings parse_accept_encoding(std::string_view header) noexcept;

}  // namespace http
