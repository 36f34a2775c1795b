// The model interface: one concurrency model (loop, fork, thread, prefork, select, poll,
// epoll-lt, epoll-et, coroutine, uring) as one constant descriptor, like an entry of nginx's
// event-module table. Each model file defines one Model; models/registry lists them, and
// main() picks one by name and calls run() once, on the main thread, after the listener is
// bound and privileges are dropped. How a model serves is known only to its own files: shared
// code never branches on which model runs, by name or by any flag.
#pragma once

#include <string>
#include <string_view>
#include <system_error>

#include "server/runtime/context.hpp"

namespace server {

class Model {
public:
    // Serves until ctx.shutdown is requested, then drains within the shutdown timeout, and
    // returns; blocks the calling (main) thread all that time. Per-connection errors are
    // logged, never thrown; a returned error (or an exception) is fatal and ends the process.
    using Run = std::error_code (*)(Context& ctx);
    // Empty when the model can run on this machine; else one line saying why not (a kernel
    // feature missing or forbidden). Cheap enough for --list-models; any thread.
    using Probe = std::string (*)();

    constexpr Model(std::string_view name, std::string_view summary, Run serve,
                    Probe unavailable = nullptr) noexcept
        : name_(name), summary_(summary), run_(serve), unavailable_(unavailable) {}

    // The --model value.
    [[nodiscard]] constexpr std::string_view name() const noexcept { return name_; }
    // One line, for --list-models.
    [[nodiscard]] constexpr std::string_view summary() const noexcept { return summary_; }
    // main() refuses to start a model with a reason, printing that line.
    [[nodiscard]] std::string unavailable_reason() const {
        return unavailable_ != nullptr ? unavailable_() : std::string();
    }
    std::error_code run(Context& ctx) const { return run_(ctx); }

private:
    std::string_view name_;
    std::string_view summary_;
    Run run_;
    Probe unavailable_;
};

// The run function of a model whose server object (Server(Context&), with std::error_code
// run()) sets up resources in its constructor: a std::system_error from that set-up (a
// SIGCHLD handler, an eventfd) or from run() becomes the returned error instead of an
// exception. Same thread and blocking as Model::Run.
template <class Server>
std::error_code run_server(Context& ctx) {
    try {
        Server server(ctx);
        return server.run();
    } catch (const std::system_error& e) {
        return e.code();
    }
}

}  // namespace server
