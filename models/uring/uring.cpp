// uring: completion-based serving on io_uring. Where a readiness model asks the kernel "may I
// recv?" and then makes the syscall, this one hands the kernel the operation itself (a
// multishot accept, a multishot receive into provided buffers, a send; large files by sendfile
// or splices) and handles completions, with one io_uring_enter per loop turn for everything.
// --workers N runs one ring per thread. Unavailable where the kernel lacks or forbids
// io_uring: then --model uring stops at startup with the reason (uring_probe.hpp).
#include "server/runtime/model.hpp"
#include "models/uring/uring_probe.hpp"
#include "models/uring/uring_server.hpp"

namespace models {
namespace {

class UringModel final : public server::Model {
public:
    std::string_view name() const noexcept override { return "uring"; }
    std::string_view summary() const noexcept override {
        return "io_uring, completion-based: multishot accept and receive, one ring per thread";
    }
    server::Traits traits() const noexcept override {
        return {.forks = false, .threads = false, .event_driven = true, .edge_triggered = false};
    }
    std::string unavailable_reason() const override { return server::uring_unavailable_reason(); }
    std::error_code run(server::Context& ctx) override { return server::run_uring_loops(ctx); }
};

}  // namespace

std::unique_ptr<server::Model> make_uring() { return std::make_unique<UringModel>(); }

}  // namespace models
