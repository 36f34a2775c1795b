// TimerKind: the named kinds of timer an event loop files a connection's or its own deadline
// under (server/loop/timers.hpp keeps one sorted list per kind). Every deadline of one kind
// shares one duration, so appending keeps its list sorted (TimerList's O(1) rule): adding a
// kind with a second duration means adding a kind, never reusing one. Header-only, no state.
#pragma once

#include <cstddef>
#include <cstdint>

namespace server {

enum class TimerKind : std::uint8_t {
    header,        // a request head or body (Deadline: --header-timeout)
    keepalive,     // an idle connection between requests (--keepalive-timeout)
    send,          // a response the client is not reading (--send-timeout)
    linger,        // a lingering close's window (server/conn/linger.hpp)
    accept_pause,  // an acceptor waiting out a pause (server/loop/loop_shared.hpp)
};

inline constexpr std::size_t timer_kind_count = 5;

[[nodiscard]] constexpr std::size_t index_of(TimerKind k) noexcept {
    return static_cast<std::size_t>(k);
}

}  // namespace server
