// TimerList: deadlines that all share one duration (header, keep-alive or send timeout), so
// appending "now + duration" keeps the list sorted and every operation is O(1): restart =
// unlink + append, expiry = pop from the front. Three such lists replace a heap (libev's
// trick for equal timeouts); 10,000 idle connections cost nothing per loop turn.
// Intrusive: the node lives in the connection; not thread-safe (one list per loop).
// Loops use it through Timers (server/loop/timers.hpp), one list per TimerKind.
#pragma once

#include <chrono>

namespace server {

struct TimerNode {
    TimerNode* prev = nullptr;
    TimerNode* next = nullptr;
    std::chrono::steady_clock::time_point at{};
    void* owner = nullptr;  // the connection this node belongs to
    [[nodiscard]] bool linked() const noexcept { return prev != nullptr; }
};

class TimerList {
public:
    TimerList() noexcept { head_.prev = head_.next = &head_; }
    TimerList(const TimerList&) = delete;
    TimerList& operator=(const TimerList&) = delete;

    // Appends n (unlinking it from wherever it was). n.at must not be earlier than the
    // current tail's for the list to stay sorted; a reload that shortens a timeout breaks
    // that only until the entries from before the reload have expired.
    void push_back(TimerNode& n) noexcept {
        unlink(n);
        n.prev = head_.prev;
        n.next = &head_;
        head_.prev->next = &n;
        head_.prev = &n;
    }
    static void unlink(TimerNode& n) noexcept {
        if (!n.linked()) return;
        n.prev->next = n.next;
        n.next->prev = n.prev;
        n.prev = n.next = nullptr;
    }
    [[nodiscard]] TimerNode* front() noexcept {
        return head_.next == &head_ ? nullptr : head_.next;
    }
    [[nodiscard]] const TimerNode* front() const noexcept {
        return head_.next == &head_ ? nullptr : head_.next;
    }

private:
    TimerNode head_;
};

}  // namespace server
