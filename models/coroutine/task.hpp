// Task<T>: the coroutine type of the coroutine model (no coroutine library: C++20 only).
// A Task is lazy: calling a Task-returning coroutine allocates its frame and runs nothing;
// `co_await task` starts it, and when it finishes control goes straight back to the awaiting
// coroutine (symmetric transfer). Neither direction grows the stack, so a chain of 100,000
// nested awaits costs frames on the heap, not 100,000 stack frames.
//
// Why a trampoline instead of returning the next handle from await_suspend: the standard
// only *permits* that to be a tail call. g++ 12 makes it one only with
// -foptimize-sibling-calls (-O2) and never under AddressSanitizer, so the Debug and sanitizer
// builds overflowed the stack at a depth of about 50,000. Here an await_suspend that
// transfers control stores the next handle in a per-thread slot and suspends; the innermost
// resume_chain() (the only way this code base resumes a coroutine) picks it up and resumes
// it from a loop. Same order of execution as a tail call, bounded stack at any -O level.
//
// Ownership: the Task object owns its frame and destroys it exactly once, in ~Task (the frame
// stays suspended at final_suspend until then, so the result can be read). An exception
// escaping the coroutine is stored and rethrown from `co_await` in the awaiter.
// Single-threaded: a Task is awaited and resumed on one thread; it is awaited at most once.
// Hazards: resuming a Task's frame with handle.resume() outside resume_chain() loses the
// transfer (the awaiter is never resumed). Destroying a parent that is suspended inside a
// chain destroys the children too, recursively (cancellation at loop shutdown relies on
// that; the server's chains are 2 or 3 deep).
#pragma once

#include <coroutine>
#include <exception>
#include <stdexcept>
#include <type_traits>
#include <utility>
#include <variant>

namespace server {

template <typename T = void>
class Task;

namespace detail {

// The handle the innermost resume_chain() runs next; set by a coroutine that transfers
// control just before it suspends.
inline thread_local std::coroutine_handle<> next_in_chain;

// Called from await_suspend: "run h as soon as I am suspended".
inline void transfer_to(std::coroutine_handle<> h) noexcept { next_in_chain = h; }

}  // namespace detail

// Resumes h and every coroutine it transfers control to, until the chain suspends without a
// transfer (it waits for I/O) or finishes. Nested calls are fine: a coroutine always
// suspends right after transferring, so the innermost active loop is the one that picks the
// handle up.
inline void resume_chain(std::coroutine_handle<> h) noexcept {
    while (h) {
        h.resume();
        h = std::exchange(detail::next_in_chain, {});
    }
}

namespace detail {

// Shared by every Task promise: where to go when the coroutine finishes.
class TaskPromiseBase {
public:
    std::suspend_always initial_suspend() const noexcept { return {}; }  // lazy start

    struct FinalAwaiter {
        bool await_ready() const noexcept { return false; }
        // Symmetric transfer back to the awaiter (by trampoline, see the top of this file):
        // finishing a deep chain unwinds without recursion.
        template <typename Promise>
        void await_suspend(std::coroutine_handle<Promise> h) const noexcept {
            transfer_to(h.promise().continuation_);
        }
        void await_resume() const noexcept {}
    };
    FinalAwaiter final_suspend() const noexcept { return {}; }

    void set_continuation(std::coroutine_handle<> h) noexcept { continuation_ = h; }

private:
    std::coroutine_handle<> continuation_;
};

template <typename T>
class TaskPromise final : public TaskPromiseBase {
    static_assert(!std::is_reference_v<T>, "Task<T&> is not supported: return a pointer");

public:
    Task<T> get_return_object() noexcept;
    template <typename U>
    requires std::is_convertible_v<U&&, T>
    void return_value(U&& v) noexcept(std::is_nothrow_constructible_v<T, U&&>) {
        result_.template emplace<1>(std::forward<U>(v));
    }
    void unhandled_exception() noexcept { result_.template emplace<2>(std::current_exception()); }

    T take() {
        if (result_.index() == 2) std::rethrow_exception(std::get<2>(result_));
        return std::move(std::get<1>(result_));  // index 0 here would be a bug: bad_variant_access
    }

private:
    std::variant<std::monostate, T, std::exception_ptr> result_;
};

template <>
class TaskPromise<void> final : public TaskPromiseBase {
public:
    Task<void> get_return_object() noexcept;
    void return_void() const noexcept {}
    void unhandled_exception() noexcept { error_ = std::current_exception(); }
    void take() const {
        if (error_) std::rethrow_exception(error_);
    }

private:
    std::exception_ptr error_;
};

}  // namespace detail

template <typename T>
class [[nodiscard]] Task {
public:
    using promise_type = detail::TaskPromise<T>;
    using handle_type = std::coroutine_handle<promise_type>;

    Task() noexcept = default;
    explicit Task(handle_type h) noexcept : h_(h) {}
    Task(Task&& other) noexcept : h_(std::exchange(other.h_, {})) {}
    Task& operator=(Task&& other) noexcept {
        if (this != &other) {
            destroy();
            h_ = std::exchange(other.h_, {});
        }
        return *this;
    }
    Task(const Task&) = delete;
    Task& operator=(const Task&) = delete;
    ~Task() { destroy(); }

    [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(h_); }
    [[nodiscard]] bool done() const noexcept { return h_ && h_.done(); }

    // co_await starts the task (or, if it already finished, takes its result at once).
    class Awaiter {
    public:
        explicit Awaiter(handle_type h) noexcept : h_(h) {}
        bool await_ready() const noexcept { return !h_ || h_.done(); }
        void await_suspend(std::coroutine_handle<> awaiting) const noexcept {
            h_.promise().set_continuation(awaiting);
            detail::transfer_to(h_);  // start the child once we are suspended: no stack growth
        }
        // Rethrows the child's exception; not noexcept on purpose.
        T await_resume() const {
            if (!h_) throw std::logic_error("co_await on an empty Task");
            return h_.promise().take();
        }

    private:
        handle_type h_;
    };
    Awaiter operator co_await() const& noexcept { return Awaiter{h_}; }
    Awaiter operator co_await() const&& noexcept { return Awaiter{h_}; }

private:
    void destroy() noexcept {
        if (h_) std::exchange(h_, {}).destroy();
    }

    handle_type h_;
};

namespace detail {

template <typename T>
Task<T> TaskPromise<T>::get_return_object() noexcept {
    return Task<T>{std::coroutine_handle<TaskPromise<T>>::from_promise(*this)};
}

inline Task<void> TaskPromise<void>::get_return_object() noexcept {
    return Task<void>{std::coroutine_handle<TaskPromise<void>>::from_promise(*this)};
}

}  // namespace detail

}  // namespace server
