// epoll, edge-triggered (the default model): the kernel reports a change of readiness once,
// so the reactor reads until a short read or EAGAIN and writes until EAGAIN, and keeps
// EPOLLOUT armed only while output is blocked. Fewest wake-ups and epoll_ctl calls of all.
#include "server/readiness/epoll_poller.hpp"
#include "server/runtime/model.hpp"
#include "server/readiness/reactor.hpp"

namespace models {
namespace {

class EpollEtModel final : public server::Model {
public:
    std::string_view name() const noexcept override { return "epoll-et"; }
    std::string_view summary() const noexcept override {
        return "epoll, edge-triggered: every read, write and accept drains to EAGAIN";
    }
    server::Traits traits() const noexcept override {
        return {.forks = false, .threads = false, .event_driven = true, .edge_triggered = true};
    }
    std::error_code run(server::Context& ctx) override {
        return server::run_reactors(ctx, [] { return std::make_unique<server::EpollPoller>(true); });
    }
};

}  // namespace

std::unique_ptr<server::Model> make_epoll_et() { return std::make_unique<EpollEtModel>(); }

}  // namespace models
