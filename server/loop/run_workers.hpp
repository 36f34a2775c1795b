// run_workers(): how every event-loop model starts (reactor, coroutine, io_uring): N loops,
// one per thread, the calling thread running the first. Each loop is BUILT on the thread that
// runs it (an io_uring set up with SINGLE_ISSUER belongs to its creating thread; for the
// others it costs nothing), and no loop serves until every one exists: if one fails to build,
// none runs and the first failure comes back as the error code (startup errors are codes, not
// exceptions, from here on). Blocks the calling thread until every loop's run() has returned;
// each loop is destroyed on its own thread.
#pragma once

#include <barrier>
#include <memory>
#include <mutex>
#include <new>
#include <system_error>
#include <thread>
#include <vector>

#include "server/runtime/context.hpp"
#include "server/runtime/model.hpp"

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
    const auto serve = [&] {
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
    for (unsigned i = 1; i < workers; ++i) threads.emplace_back(serve);
    serve();
    for (auto& t : threads) t.join();
    return failure;
}

// The models' form: cfg.workers loops (1 when not given) serving ctx's listeners. A readiness
// loop needs them non-blocking (it accepts until EAGAIN); io_uring's multishot accept does not.
enum class ListenerMode : bool { blocking, nonblocking };

template <typename MakeLoop>
std::error_code run_workers(Context& ctx, ListenerMode mode, MakeLoop make_loop) {
    const unsigned workers = worker_count(ctx.runtime()->cfg, 1, "event loops");
    return run_workers(workers, std::move(make_loop), [&] {
        if (mode == ListenerMode::nonblocking) ctx.listeners.set_nonblocking(true);
    });
}

}  // namespace server
