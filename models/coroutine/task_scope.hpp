// Detached and TaskScope: top-level coroutines that nobody awaits (one per connection, one
// acceptor per loop), and the owner that guarantees none of their frames outlives it.
// A Detached coroutine is lazy until TaskScope::spawn() links it into the scope and resumes
// it; from then on its frame frees itself when the coroutine returns (final_suspend does not
// suspend) and unlinks itself from the scope in the promise's destructor. A frame still
// suspended when the scope is destroyed (or destroy_all() runs) is destroyed there, which
// runs the destructors of its locals - the RAII cleanup of a cancelled connection: timers
// unlinked, fd deregistered, socket closed, access-log entry written.
// An exception escaping a Detached coroutine is logged and swallowed (per-connection errors
// never end the server).
// Single-threaded: a scope and its frames belong to one event-loop thread. live_frames()
// counts Detached frames of the whole process (for tests and leak checks).
#pragma once

#include <atomic>
#include <coroutine>
#include <cstddef>
#include <utility>

namespace server {

class TaskScope;

class [[nodiscard]] Detached {
public:
    class promise_type {
    public:
        promise_type() noexcept { live_.fetch_add(1, std::memory_order_relaxed); }
        ~promise_type();
        promise_type(const promise_type&) = delete;
        promise_type& operator=(const promise_type&) = delete;

        Detached get_return_object() noexcept {
            return Detached{std::coroutine_handle<promise_type>::from_promise(*this)};
        }
        std::suspend_always initial_suspend() const noexcept { return {}; }
        std::suspend_never final_suspend() const noexcept { return {}; }  // frees itself
        void return_void() const noexcept {}
        void unhandled_exception() const noexcept;  // logs the exception

    private:
        friend class TaskScope;
        TaskScope* scope_ = nullptr;
        promise_type* prev_ = nullptr;
        promise_type* next_ = nullptr;
    };

    Detached(Detached&& other) noexcept : h_(std::exchange(other.h_, {})) {}
    Detached& operator=(Detached&&) = delete;
    Detached(const Detached&) = delete;
    Detached& operator=(const Detached&) = delete;
    // Never spawned: the frame never ran, destroy it here.
    ~Detached() {
        if (h_) h_.destroy();
    }

    // Detached frames alive in this process (spawned or not).
    [[nodiscard]] static std::size_t live_frames() noexcept {
        return live_.load(std::memory_order_relaxed);
    }

private:
    friend class TaskScope;
    explicit Detached(std::coroutine_handle<promise_type> h) noexcept : h_(h) {}

    std::coroutine_handle<promise_type> h_;
    inline static std::atomic<std::size_t> live_{0};
};

class TaskScope {
public:
    TaskScope() noexcept = default;
    TaskScope(const TaskScope&) = delete;
    TaskScope& operator=(const TaskScope&) = delete;
    ~TaskScope() { destroy_all(); }

    // Takes the frame and runs it until its first suspension (or to its end). Called on the
    // scope's thread; safe from inside another coroutine of the same scope.
    void spawn(Detached task) noexcept;

    // Destroys every frame still suspended. Hazard: only from outside the scope's
    // coroutines (destroying the running frame is undefined behaviour).
    void destroy_all() noexcept;

    [[nodiscard]] std::size_t size() const noexcept { return size_; }
    [[nodiscard]] bool empty() const noexcept { return size_ == 0; }

private:
    friend class Detached::promise_type;
    void unlink(Detached::promise_type& p) noexcept;

    Detached::promise_type* head_ = nullptr;
    std::size_t size_ = 0;
};

}  // namespace server
