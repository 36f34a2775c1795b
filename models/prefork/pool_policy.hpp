// The prefork pool's sizing policy (Apache's prefork: StartServers, MinSpareServers,
// MaxSpareServers, MaxRequestWorkers), as pure functions of the configuration and the
// scoreboard's counts, so the rules are tested without a process. Called by the master on its
// thread; nothing here blocks or touches the system.
#pragma once

#include <cstdint>

#include "config/config.hpp"

namespace models {

// At most this many forks per wake-up of the master: a burst is met within a few
// milliseconds (a fork of a small worker is well under one), and the master still looks at
// stops, reaped workers and reloads between batches. Apache forks 1, 2, 4 ... 32 per second.
inline constexpr unsigned max_forks_per_wake = 32;

struct PoolSettings {
    unsigned fixed = 0;          // --workers N: exactly N, never resized; 0: adaptive
    unsigned min_spare = 5;      // MinSpareServers; also the pool at start (StartServers)
    unsigned max_spare = 10;     // MaxSpareServers
    unsigned max_workers = 256;  // MaxRequestWorkers: the current generation's workers at most
};

// From the configuration: --workers given (a count or auto) makes a fixed pool; otherwise
// the spare bounds. Never more workers than --max-connections (each holds one connection).
// Like Apache, a --max-spare not above --min-spare is taken as --min-spare + 1 (a pool whose
// bounds meet would start and retire a worker at every change), and --min-spare is at least 1
// (with none spare, nothing would ever start a worker).
PoolSettings pool_settings(const config::Config& cfg);

// What the current generation's workers are doing (the scoreboard's counts).
struct PoolView {
    unsigned live = 0;      // every state
    unsigned idle = 0;      // waiting for a connection
    unsigned starting = 0;  // forked, not yet waiting
};

struct PoolStep {
    unsigned start = 0;   // workers to fork now
    unsigned retire = 0;  // idle workers to ask to leave now
};

// A fixed pool is filled to its size. An adaptive pool starts what keeps min_spare workers
// spare (idle or starting) within max_workers, at most max_forks_per_wake at once; and, when
// retire_due (the master's retire pace), asks an eighth of the idle workers beyond
// max_spare to leave (at least one): a burst's pool shrinks back within a minute, while a
// load that returns within seconds still finds most of its workers.
PoolStep plan(const PoolView& v, const PoolSettings& s, bool retire_due) noexcept;

}  // namespace models
