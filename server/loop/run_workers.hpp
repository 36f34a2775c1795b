// run_workers(): how every event-loop model starts (reactor, coroutine, io_uring): N loops,
// one per thread, the calling thread running the first. Each loop is BUILT on the thread that
// runs it (an io_uring set up with SINGLE_ISSUER belongs to its creating thread; for the
// others it costs nothing), and no loop serves until every one exists: if one fails to build,
// none runs and the first failure comes back as the error code (startup errors are codes, not
// exceptions, from here on). Blocks the calling thread until every loop's run() has returned;
// each loop is destroyed on its own thread. Loop i's thread serves the listeners of group i
// (ListenerSet::serve_as_worker): one group shared by all, or under --reuseport a socket of
// its own per listener.
#pragma once

#include <barrier>
#include <memory>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

#include <spdlog/spdlog.h>

#include "server/runtime/context.hpp"
#include "server/runtime/model.hpp"
#include "server/sys/listener_set.hpp"

namespace server {

// make_loop() returns a std::unique_ptr to something with run(), or throws std::system_error;
// it is called once on each of `workers` threads. once_built() runs once, after every loop
// was built and before any runs (it may throw std::system_error too: then none runs).
template <typename MakeLoop, typename OnceBuilt>
std::error_code run_workers(unsigned workers, MakeLoop make_loop, OnceBuilt once_built) {
    std::mutex mu;
    std::error_code failure;  // the first; read after the barrier, which orders every write
    const auto fail = [&](std::error_code ec) {
        const std::lock_guard lock(mu);
        if (!failure) failure = ec;
    };
    const auto completion = [&]() noexcept {
        if (failure) return;
        try {
            once_built();
        } catch (const std::system_error& e) {
            failure = e.code();
        }
    };
    std::barrier built(static_cast<std::ptrdiff_t>(workers), completion);
    const auto serve = [&](unsigned worker) {
        ListenerSet::serve_as_worker(worker);
        decltype(make_loop()) loop;
        try {
            loop = make_loop();
        } catch (const std::system_error& e) {
            fail(e.code());
        } catch (const std::bad_alloc&) {
            fail(std::make_error_code(std::errc::not_enough_memory));
        }
        built.arrive_and_wait();
        if (!failure) loop->run();
    };
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < workers; ++i) threads.emplace_back(serve, i);
    serve(0);
    for (auto& t : threads) t.join();
    return failure;
}

// --reuseport: a group of listeners per loop. Bound after the privileges were dropped, a twin
// can fail (a port below 1024, or a socket root bound: Linux groups one user's sockets only);
// then every loop shares the configured listeners, as without the option, and the log says so.
inline void split_listeners(ListenerSet& listeners, unsigned workers) {
    try {
        listeners.add_worker_groups(workers);
    } catch (const std::system_error& e) {
        spdlog::warn("--reuseport: {}; the {} event loops share one listener instead", e.what(),
                     workers);
    }
}

// The models' form: cfg.workers loops (1 when not given) serving ctx's listeners. A readiness
// loop needs them non-blocking (it accepts until EAGAIN); io_uring's multishot accept does not.
enum class ListenerMode : bool { blocking, nonblocking };

template <typename MakeLoop>
std::error_code run_workers(Context& ctx, ListenerMode mode, MakeLoop make_loop) {
    const auto runtime = ctx.runtime();
    const unsigned workers = worker_count(runtime->cfg, 1, "event loops");
    if (runtime->cfg.reuseport) split_listeners(ctx.listeners, workers);
    return run_workers(workers, std::move(make_loop), [&] {
        if (mode == ListenerMode::nonblocking) ctx.listeners.set_nonblocking(true);
    });
}

}  // namespace server
