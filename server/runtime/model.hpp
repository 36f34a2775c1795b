// The model interface: one concurrency model (loop, fork, thread, prefork, select, poll,
// epoll-lt, epoll-et, coroutine, ...) behind one small table, like nginx's event modules.
// main() picks one by name from models/registry and calls run() once, on the main thread.
// Shared code branches on Traits, never on a model's name.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include "config/config.hpp"
#include "server/runtime/context.hpp"

namespace server {

struct Traits {
    bool forks = false;           // connections are served in child processes
    bool threads = false;         // connections are served on several threads
    bool event_driven = false;    // one thread multiplexes many connections
    bool edge_triggered = false;
};

class Model {
public:
    virtual ~Model() = default;
    [[nodiscard]] virtual std::string_view name() const noexcept = 0;
    [[nodiscard]] virtual std::string_view summary() const noexcept = 0;  // one line, for --list-models
    [[nodiscard]] virtual Traits traits() const noexcept = 0;
    // Empty when the model can run on this machine; else one line saying why not (a kernel
    // feature missing or forbidden). main() refuses to start such a model with that line.
    [[nodiscard]] virtual std::string unavailable_reason() const { return {}; }
    // Serves until ctx.shutdown is requested, then drains within the shutdown timeout.
    // Per-connection errors are logged, never thrown; a returned error is fatal at startup.
    virtual std::error_code run(Context& ctx) = 0;
};

}  // namespace server
