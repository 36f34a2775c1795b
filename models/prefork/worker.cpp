#include "models/prefork/worker.hpp"

#include <unistd.h>

#include <chrono>
#include <utility>

#include "models/prefork/accept_exclusive.hpp"
#include "server/proc/children.hpp"

namespace models {

WorkerScore::WorkerScore(server::Scoreboard& board, std::size_t slot)
    : board_(board), slot_(board.slot(slot)) {
    slot_.pid.store(::getpid(), std::memory_order_relaxed);
}

void WorkerScore::idle() noexcept {
    slot_.end_request();
    slot_.set_client({});
    slot_.set(server::WorkerState::idle);
}

void WorkerScore::accepted(std::string_view peer) noexcept {
    slot_.set_client(peer);
    slot_.set(server::WorkerState::reading);
    board_.after_leaving_idle();
}

void WorkerScore::on_phase(http::Phase phase, std::uint64_t requests_served) noexcept {
    if (requests_served != counted_) {
        counted_ = requests_served;
        slot_.requests.store(before_ + counted_, std::memory_order_relaxed);
    }
    switch (phase) {
        case http::Phase::head:
            slot_.begin_request(std::chrono::steady_clock::now());
            slot_.set(server::WorkerState::reading);
            break;
        case http::Phase::body: slot_.set(server::WorkerState::reading); break;
        case http::Phase::write: slot_.set(server::WorkerState::writing); break;
        case http::Phase::idle:
            slot_.end_request();
            slot_.set(server::WorkerState::keepalive);
            break;
    }
}

void WorkerScore::on_closing() noexcept {
    slot_.set(server::WorkerState::closing);
    before_ += counted_;
    counted_ = 0;
}

int worker_main(const server::Context& master, std::shared_ptr<const server::Runtime> rt,
                const WorkerSetup& setup) {
    const std::uint64_t max_requests = rt->cfg.max_requests_per_worker;
    const server::Context ctx(master.listeners, master.shutdown, master.access_log, master.stats,
                              std::move(rt));
    server::ExclusiveAcceptor acceptor(ctx.listeners, ctx.shutdown.wake_fd(),
                                       server::Children::retire_fd());
    WorkerScore score(setup.board, setup.slot);
    std::uint64_t served = 0;
    for (;;) {
        score.idle();
        server::Accepted c = acceptor.accept();
        if (!c.fd) return 0;
        score.accepted(c.peer);
        // The master's cut order arrives on the urgent fd (server::Children, SIGUSR2), and its
        // retire order on retire_fd (SIGWINCH): the connection in hand is served all the same.
        const server::Drain drain{ctx.shutdown.urgent_fd(), false, server::Children::retire_fd()};
        served +=
            server::serve_blocking(std::move(c), ctx, drain, {&score, setup.saturated_fd}).requests;
        if (max_requests != 0 && served >= max_requests) return 0;
    }
}

}  // namespace models
