#include "server/readiness/epoll_poller.hpp"

#include <sys/epoll.h>

#include <cerrno>
#include <system_error>

namespace server {

EpollPoller::EpollPoller(bool edge_triggered)
    : ep_(::epoll_create1(EPOLL_CLOEXEC)), edge_(edge_triggered) {
    if (!ep_) throw std::system_error(errno, std::generic_category(), "epoll_create1");
}

std::uint32_t EpollPoller::mask_for(Interest interest) const noexcept {
    if (edge_) {
        const std::uint32_t base = EPOLLIN | EPOLLRDHUP | EPOLLET;
        return interest == Interest::write ? base | EPOLLOUT : base;
    }
    return (interest == Interest::write ? EPOLLOUT : EPOLLIN) | EPOLLRDHUP;
}

bool EpollPoller::control(int op, int fd, std::uint32_t mask) {
    epoll_event ev{};
    ev.events = mask;
    ev.data.fd = fd;
    if (::epoll_ctl(ep_.get(), op, fd, &ev) != 0) return false;
    if (static_cast<std::size_t>(fd) >= masks_.size())
        masks_.resize(static_cast<std::size_t>(fd) + 64, 0);
    masks_[static_cast<std::size_t>(fd)] = op == EPOLL_CTL_DEL ? 0 : mask;
    return true;
}

bool EpollPoller::add(int fd, Interest interest) {
    return control(EPOLL_CTL_ADD, fd, mask_for(interest));
}

bool EpollPoller::add_listener(int fd) {
    // EPOLLEXCLUSIVE: one reactor wakes per connection instead of all of them (no
    // thundering herd on the shared listener). Level-triggered on purpose: a reactor that
    // stops accepting at the connection cap must not lose the pending connections' edge.
    return control(EPOLL_CTL_ADD, fd, EPOLLIN | EPOLLEXCLUSIVE);
}

bool EpollPoller::set(int fd, Interest interest) {
    const std::uint32_t mask = mask_for(interest);
    if (static_cast<std::size_t>(fd) < masks_.size() &&
        masks_[static_cast<std::size_t>(fd)] == mask)
        return true;  // the common case under edge triggering: no syscall
    return control(EPOLL_CTL_MOD, fd, mask);
}

void EpollPoller::remove(int fd) {
    // Closing the fd would remove it too, but only once no duplicate of it exists (a
    // forked child's copy would keep the registration alive): remove explicitly.
    control(EPOLL_CTL_DEL, fd, 0);
}

void EpollPoller::forget(int fd) {
    // The reactor's connection sockets are CLOEXEC and never forked, so the close that
    // follows is the last reference and epoll drops the registration itself.
    if (static_cast<std::size_t>(fd) < masks_.size()) masks_[static_cast<std::size_t>(fd)] = 0;
}

int EpollPoller::wait(std::span<PollEvent> out, int timeout_ms) {
    if (buffer_.size() < out.size()) buffer_.resize(out.size());
    const int n = ::epoll_wait(ep_.get(), buffer_.data(), static_cast<int>(out.size()), timeout_ms);
    for (int i = 0; i < n; ++i) {
        const epoll_event& ev = buffer_[static_cast<std::size_t>(i)];
        PollEvent& pe = out[static_cast<std::size_t>(i)];
        pe.fd = ev.data.fd;
        pe.readable = (ev.events & (EPOLLIN | EPOLLRDHUP)) != 0;
        pe.writable = (ev.events & EPOLLOUT) != 0;
        pe.hangup = (ev.events & (EPOLLERR | EPOLLHUP | EPOLLRDHUP)) != 0;
    }
    return n;
}

}  // namespace server
