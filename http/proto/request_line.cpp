#include "http/proto/request_line.hpp"

namespace http {
namespace {

constexpr bool is_tchar(char c) noexcept {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

// The target is not parsed here, only bounded: any visible ASCII, as llhttp's strict mode.
constexpr bool is_vchar(char c) noexcept { return c > 0x20 && c < 0x7f; }

constexpr std::string_view version_shape = "HTTP/d.d";  // 'd': one digit

}  // namespace

void RequestLineCheck::start(bool method_begun) noexcept {
    state_ = State::method;
    length_ = method_begun ? 1 : 0;
}

RequestLineCheck::Verdict RequestLineCheck::feed(std::string_view bytes,
                                                 std::size_t& consumed) noexcept {
    for (consumed = 0; consumed < bytes.size();) {
        const Verdict v = step(bytes[consumed++]);
        if (v != Verdict::more) return v;
    }
    return Verdict::more;
}

RequestLineCheck::Verdict RequestLineCheck::step(char c) noexcept {
    switch (state_) {
        case State::method:
            if (is_tchar(c)) break;
            if (c != ' ' || length_ == 0) return Verdict::bad;
            state_ = State::target;
            length_ = 0;
            return Verdict::more;
        case State::target:
            if (is_vchar(c)) {
                if (length_ >= max_target_size_) return Verdict::target_too_long;
                break;
            }
            if (c != ' ' || length_ == 0) return Verdict::bad;
            state_ = State::version;
            length_ = 0;
            return Verdict::more;
        case State::version: {
            const char want = version_shape[length_];
            const bool ok = want == 'd' ? (c >= '0' && c <= '9') : c == want;
            if (!ok) return Verdict::bad;
            if (length_ + 1 == version_shape.size()) state_ = State::cr;
            break;
        }
        case State::cr:
            if (c != '\r') return Verdict::bad;
            state_ = State::lf;
            return Verdict::more;
        case State::lf: return c == '\n' ? Verdict::unknown_method : Verdict::bad;
    }
    ++length_;
    return Verdict::more;
}

}  // namespace http
