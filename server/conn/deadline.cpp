#include "server/conn/deadline.hpp"

#include <algorithm>

namespace server {

int Deadline::remaining_ms(clock::time_point now) const noexcept {
    if (now >= at_) return 0;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(at_ - now).count();
    return static_cast<int>(std::min<long long>(left, 1 << 30));
}

void Deadline::restart(http::Phase phase, clock::time_point now) noexcept {
    phase_ = phase;
    switch (phase) {
        case http::Phase::head:
        case http::Phase::body: at_ = now + t_.header; break;
        case http::Phase::idle: at_ = now + t_.keepalive; break;
        case http::Phase::write: at_ = now + t_.send; break;
    }
}

}  // namespace server
