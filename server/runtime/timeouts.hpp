// Timeouts: the three durations a connection's Deadline (server/conn/deadline.hpp) is built
// from, taken from the configuration once per Runtime snapshot.
#pragma once

#include <chrono>

namespace server {

struct Timeouts {
    std::chrono::milliseconds header{10'000};
    std::chrono::milliseconds keepalive{15'000};
    std::chrono::milliseconds send{60'000};
};

}  // namespace server
