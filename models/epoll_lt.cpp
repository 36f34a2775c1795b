// epoll, level-triggered: the kernel repeats readiness until it is consumed, so the reactor
// may stop early without losing an event; the price is an epoll_ctl whenever a connection
// switches between reading and writing, and a wake-up per turn for every ready socket.
#include "server/readiness/epoll_poller.hpp"
#include "server/runtime/model.hpp"
#include "server/readiness/reactor.hpp"

namespace models {
namespace {

class EpollLtModel final : public server::Model {
public:
    std::string_view name() const noexcept override { return "epoll-lt"; }
    std::string_view summary() const noexcept override {
        return "epoll, level-triggered: readiness repeats until consumed";
    }
    server::Traits traits() const noexcept override {
        return {.forks = false, .threads = false, .event_driven = true, .edge_triggered = false};
    }
    std::error_code run(server::Context& ctx) override {
        return server::run_reactors(ctx, [] { return std::make_unique<server::EpollPoller>(false); });
    }
};

}  // namespace

std::unique_ptr<server::Model> make_epoll_lt() { return std::make_unique<EpollLtModel>(); }

}  // namespace models
