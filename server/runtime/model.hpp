// The model interface: one concurrency model (loop, fork, thread, prefork, select, poll,
// epoll-lt, epoll-et, coroutine, uring) as one constant descriptor, like an entry of nginx's
// event-module table. Each model file defines one Model; models/registry lists them, and
// main() picks one by name and calls run() once, on the main thread, after the listener is
// bound and privileges are dropped. How a model serves is known only to its own files: shared
// code never branches on which model runs, by name or by any flag.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <system_error>
#include <vector>

#include "server/runtime/context.hpp"
#include "server/runtime/stop_log.hpp"

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

    // reads: the per-model options (config::Option::per_model) this model reads, by name.
    constexpr Model(std::string_view name, std::string_view summary, Run serve,
                    std::span<const std::string_view> reads = {},
                    Probe unavailable = nullptr) noexcept
        : name_(name), summary_(summary), run_(serve), reads_(reads), unavailable_(unavailable) {}

    // The --model value.
    [[nodiscard]] constexpr std::string_view name() const noexcept { return name_; }
    // One line, for --list-models.
    [[nodiscard]] constexpr std::string_view summary() const noexcept { return summary_; }
    // main() refuses to start a model with a reason, printing that line.
    [[nodiscard]] std::string unavailable_reason() const {
        return unavailable_ != nullptr ? unavailable_() : std::string();
    }
    [[nodiscard]] constexpr std::span<const std::string_view> reads() const noexcept {
        return reads_;
    }
    // Serves (see Run), with the stop lines every model shares (stop_log.hpp) logged beside it.
    std::error_code run(Context& ctx) const {
        const StopLog stop_log(ctx);
        ctx.stop_log = &stop_log;
        const std::error_code ec = run_(ctx);
        ctx.stop_log = nullptr;
        return ec;
    }

private:
    std::string_view name_;
    std::string_view summary_;
    Run run_;
    std::span<const std::string_view> reads_;
    Probe unavailable_;
};

// What every event-loop model reads (select, poll, epoll-*, coroutine): --workers loops.
inline constexpr std::string_view event_loop_reads[] = {"workers", "reuseport"};

// One warning line per per-model option that cfg sets (to other than its default) and `model`
// does not read: "--workers 4 is ignored by --model loop (it reads none of --workers, ...)".
// main() logs them at startup. Pure; any thread.
std::vector<std::string> ignored_options(const Model& model, const config::Config& cfg);

// --workers resolved for a model whose own default is model_default; "auto" logs the count it
// chose, naming what it counts ("event loops", "workers"). Any thread.
unsigned worker_count(const config::Config& cfg, unsigned model_default, std::string_view what);

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
