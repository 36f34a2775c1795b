#include "models/coroutine/task_scope.hpp"

#include <exception>

#include <spdlog/spdlog.h>

#include "models/coroutine/task.hpp"

namespace server {

Detached::promise_type::~promise_type() {
    if (scope_ != nullptr) scope_->unlink(*this);
    live_.fetch_sub(1, std::memory_order_relaxed);
}

void Detached::promise_type::unhandled_exception() const noexcept {
    try {
        throw;
    } catch (const std::exception& e) {
        spdlog::error("a coroutine ended with an exception: {}", e.what());
    } catch (...) {
        spdlog::error("a coroutine ended with an unknown exception");
    }
}

void TaskScope::spawn(Detached task) noexcept {
    const auto h = std::exchange(task.h_, {});
    auto& p = h.promise();
    p.scope_ = this;
    p.next_ = head_;
    if (head_ != nullptr) head_->prev_ = &p;
    head_ = &p;
    ++size_;
    resume_chain(h);  // may finish (and unlink itself) before returning
}

void TaskScope::destroy_all() noexcept {
    while (head_ != nullptr)
        std::coroutine_handle<Detached::promise_type>::from_promise(*head_).destroy();
}

void TaskScope::unlink(Detached::promise_type& p) noexcept {
    if (p.prev_ != nullptr)
        p.prev_->next_ = p.next_;
    else
        head_ = p.next_;
    if (p.next_ != nullptr) p.next_->prev_ = p.prev_;
    p.prev_ = p.next_ = nullptr;
    p.scope_ = nullptr;
    --size_;
}

}  // namespace server
