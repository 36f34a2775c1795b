// coroutine: one C++20 coroutine per connection, written as straight-line code ("read a
// request, send the response, repeat") and resumed by an epoll loop when the socket is ready
// - the seed's asyncio/gevent lesson without a coroutine library. Same syscalls as epoll-et;
// what changes is that each connection's state lives in its coroutine frame, not in a state
// record the reactor dispatches on. --workers N runs one loop per thread.
#include "models/coroutine/coro_server.hpp"
#include "server/runtime/model.hpp"

namespace models {
namespace {

class CoroutineModel final : public server::Model {
public:
    std::string_view name() const noexcept override { return "coroutine"; }
    std::string_view summary() const noexcept override {
        return "one C++20 coroutine per connection, resumed by an edge-triggered epoll loop";
    }
    server::Traits traits() const noexcept override {
        return {.forks = false, .threads = false, .event_driven = true, .edge_triggered = true};
    }
    std::error_code run(server::Context& ctx) override { return server::run_coroutine_loops(ctx); }
};

}  // namespace

std::unique_ptr<server::Model> make_coroutine() { return std::make_unique<CoroutineModel>(); }

}  // namespace models
