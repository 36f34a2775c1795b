// The iterative server (the seed's first lesson): accept one connection, serve it to the end,
// then accept the next. Clients queue in the listen backlog meanwhile. Useful as the baseline
// every other model is measured against, and for debugging: no concurrency at all.
#include <spdlog/spdlog.h>

#include "server/sys/acceptor.hpp"
#include "server/conn/blocking_driver.hpp"
#include "server/runtime/model.hpp"

namespace models {
namespace {

class LoopModel final : public server::Model {
public:
    std::string_view name() const noexcept override { return "loop"; }
    std::string_view summary() const noexcept override {
        return "iterative server: one connection at a time, the others wait in the backlog";
    }
    server::Traits traits() const noexcept override { return {}; }

    std::error_code run(server::Context& ctx) override {
        for (;;) {
            server::Accepted c = server::accept_blocking(ctx.listener.fd(), ctx.shutdown);
            if (!c.fd) break;  // stop requested
            server::serve_blocking(std::move(c.fd), c.peer, ctx);
        }
        return {};
    }
};

}  // namespace

std::unique_ptr<server::Model> make_loop() { return std::make_unique<LoopModel>(); }

}  // namespace models
