// RequestLineCheck: 400 or 501 for a request line llhttp refused at its method. llhttp knows
// only its own method table and stops at the first byte that leaves it ("BREW" fails at 'R'),
// so it cannot tell a well-formed request with a method we do not implement (501, RFC 9110
// §15.6.2) from bytes without the request-line grammar (400, RFC 9112 §3). This reads on
// until it can: `token SP request-target SP HTTP-version CRLF` complete is 501; the first byte
// that cannot continue that grammar is 400 at once (a TLS hello is refused at its first byte,
// never waited on). Owned by one RequestParser; pure, no allocation.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace http {

class RequestLineCheck {
public:
    enum class Verdict : std::uint8_t {
        more,             // every byte fits the grammar so far; feed more
        bad,              // not a request line: 400
        unknown_method,   // a well-formed line whose method we do not implement: 501
        target_too_long,  // 414, as for a known method
    };

    explicit RequestLineCheck(std::size_t max_target_size) noexcept
        : max_target_size_(max_target_size) {}

    // method_begun: the method token already has bytes (those llhttp accepted before failing).
    void start(bool method_begun) noexcept;

    // Reads bytes until a verdict; `consumed` counts those read (all of them for `more`).
    Verdict feed(std::string_view bytes, std::size_t& consumed) noexcept;

private:
    enum class State : std::uint8_t { method, target, version, cr, lf };
    Verdict step(char c) noexcept;

    std::size_t max_target_size_;
    State state_ = State::method;
    std::size_t length_ = 0;  // bytes of the current element (method, target or version)
};

}  // namespace http
