// A prefork worker: the body a worker process runs (worker_main) and its scoreboard slot
// (WorkerScore), which the blocking driver tells of each phase. Runs in the worker process,
// on its one thread; worker_main blocks until the worker is stopped or recycled.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "server/conn/blocking_driver.hpp"
#include "server/obs/scoreboard.hpp"
#include "server/runtime/context.hpp"

namespace models {

// The worker's slot: each state change is a relaxed store into shared memory, no syscall;
// leaving idle may also wake the master (Scoreboard::after_leaving_idle), when too few
// workers are left idle.
class WorkerScore final : public server::ConnObserver {
public:
    WorkerScore(server::Scoreboard& board, std::size_t slot);

    void idle() noexcept;                           // waiting for a connection
    void accepted(std::string_view peer) noexcept;  // a connection taken: reading its request
    void on_phase(http::Phase phase, std::uint64_t requests_served) noexcept override;
    void on_closing() noexcept override;

private:
    server::Scoreboard& board_;
    server::ScoreSlot& slot_;
    std::uint64_t before_ = 0;   // requests of the connections before this one
    std::uint64_t counted_ = 0;  // of this connection, already in the slot
};

// What a worker needs from its master, fixed at its fork.
struct WorkerSetup {
    server::Scoreboard& board;
    std::size_t slot;
    int saturated_fd;  // the master's SaturationFlag
};

// Serves connections one at a time until stopped (SIGTERM: the master's stop, a reload or
// a retirement, or the master's death) or recycled (--max-requests-per-worker). Returns the
// exit status.
int worker_main(const server::Context& master, std::shared_ptr<const server::Runtime> rt,
                const WorkerSetup& setup);

}  // namespace models
