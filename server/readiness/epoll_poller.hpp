// EpollPoller: epoll in level- or edge-triggered mode, shared by the epoll-lt and epoll-et
// models (they differ only in this flag and in what it obliges the reactor to do).
// Edge-triggered: EPOLLIN|EPOLLRDHUP stay armed for the connection's life; EPOLLOUT is
// armed only while output is blocked. Level-triggered: exactly one of EPOLLIN / EPOLLOUT,
// since a level-triggered EPOLLOUT left armed on an idle socket would wake every turn.
#pragma once

#include <sys/epoll.h>

#include <cstdint>
#include <vector>

#include "base/unique_fd.hpp"
#include "server/readiness/poller.hpp"

namespace server {

class EpollPoller final : public Poller {
public:
    explicit EpollPoller(bool edge_triggered);  // throws std::system_error

    bool add(int fd, Interest interest) override;
    bool add_listener(int fd) override;
    bool set(int fd, Interest interest) override;
    void remove(int fd) override;
    void forget(int fd) override;
    int wait(std::span<PollEvent> out, int timeout_ms) override;

private:
    [[nodiscard]] std::uint32_t mask_for(Interest interest) const noexcept;
    bool control(int op, int fd, std::uint32_t mask);

    poly::UniqueFd ep_;
    bool edge_;
    std::vector<std::uint32_t> masks_;  // by fd: what is registered now (0: nothing)
    std::vector<epoll_event> buffer_;
};

}  // namespace server
