// uring: completion-based serving on io_uring. Where a readiness model asks the kernel "may I
// recv?" and then makes the syscall, this one hands the kernel the operation itself (a
// multishot accept, a multishot receive into provided buffers, a send; large files by sendfile
// or splices) and handles completions, with one io_uring_enter per loop turn for everything.
// --workers N runs one ring per thread. Unavailable where the kernel lacks or forbids
// io_uring: then --model uring stops at startup with the reason (uring_probe.hpp).
#include "models/uring/uring_probe.hpp"
#include "models/uring/uring_server.hpp"
#include "server/runtime/model.hpp"

namespace models {

constexpr std::string_view uring_reads[] = {"workers", "uring-files", "reuseport"};

extern constinit const server::Model uring_model{
    "uring", "io_uring, completion-based: multishot accept and receive, one ring per thread",
    &server::run_uring_loops, uring_reads,
    []() -> std::string { return server::uring_unavailable_reason(); }};

}  // namespace models
