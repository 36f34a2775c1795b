// The fork gate: keeps fork() out of the moments when another thread of the process holds a
// lock that only that thread would release.
//
// fork() copies the calling thread alone. A lock another thread held at that instant stays
// held in the child for good, and the child's first attempt to take it never returns. The
// master of the fork and prefork models has two other threads, ControlThread and StopLog, and
// they call into code that takes such locks: OpenSSL's random generator and provider store
// (the ticket-key rotation, a reload's certificates), spdlog's sink mutex (any log line), and,
// in a sanitizer build, the sanitizer's allocator (GCC 12's libasan does not take its locks
// around fork() the way glibc's malloc does). Seen under AddressSanitizer: prefork workers
// blocked forever in the first allocation of their first handshake, forked while the control
// thread was creating the first ticket keys.
//
// So those threads hold the gate whenever they are not waiting (they release it around their
// poll()), and Children::spawn holds it around fork(). A fork waits at most for one piece of
// their work; the longest is a reload (a parse and the certificates, milliseconds). A thread's
// own start allocates too (the C library's and the sanitizer's bookkeeping), before any code
// of ours runs in it, so GatedThread returns only once the new thread holds the gate.
#pragma once

#include <functional>
#include <latch>
#include <mutex>
#include <thread>

namespace server {

// The process's one gate.
inline std::mutex& fork_gate() noexcept {
    static std::mutex gate;
    return gate;
}

// A thread that works holding the gate: body gets the lock and releases it around its waits.
class GatedThread {
public:
    using Body = std::function<void(std::unique_lock<std::mutex>& working)>;

    explicit GatedThread(Body body)
        : thread_([this, body = std::move(body)] {
              std::unique_lock working(fork_gate());
              started_.count_down();
              body(working);
          }) {
        started_.wait();
    }
    GatedThread(const GatedThread&) = delete;
    GatedThread& operator=(const GatedThread&) = delete;
    ~GatedThread() {
        if (thread_.joinable()) thread_.join();
    }

    void join() { thread_.join(); }

private:
    std::latch started_{1};  // declared first: the thread counts it down
    std::thread thread_;
};

}  // namespace server
