// poll(): no FD_SETSIZE ceiling, but every wait still hands the kernel the whole pollfd
// array and the kernel checks each entry, so a turn costs O(connections) even when one is
// ready. Registration is O(1): an fd -> slot index makes removal a swap with the last entry.
#include "models/poll.hpp"

#include <poll.h>

#include <cerrno>
#include <vector>

#include "server/readiness/poller.hpp"
#include "server/readiness/reactor.hpp"
#include "server/runtime/model.hpp"

namespace models {
namespace {

class PollPoller final : public server::Poller {
public:
    bool add(int fd, server::Interest interest) override {
        if (fd < 0) {
            errno = EBADF;
            return false;
        }
        if (static_cast<std::size_t>(fd) >= slot_.size())
            slot_.resize(static_cast<std::size_t>(fd) + 256, -1);
        slot_[static_cast<std::size_t>(fd)] = static_cast<int>(fds_.size());
        fds_.push_back({fd, events_for(interest), 0});
        return true;
    }
    bool set(int fd, server::Interest interest) override {
        fds_[static_cast<std::size_t>(slot_[static_cast<std::size_t>(fd)])].events =
            events_for(interest);
        return true;
    }
    void remove(int fd) override {
        if (fd < 0 || static_cast<std::size_t>(fd) >= slot_.size()) return;
        const int i = slot_[static_cast<std::size_t>(fd)];
        if (i < 0) return;
        // O(1): the last entry takes the freed slot.
        fds_[static_cast<std::size_t>(i)] = fds_.back();
        slot_[static_cast<std::size_t>(fds_[static_cast<std::size_t>(i)].fd)] = i;
        fds_.pop_back();
        slot_[static_cast<std::size_t>(fd)] = -1;
    }
    int wait(std::span<server::PollEvent> out, int timeout_ms) override {
        const int n = ::poll(fds_.data(), fds_.size(), timeout_ms);
        if (n <= 0) return n;
        int count = 0;
        for (const pollfd& p : fds_) {
            if (p.revents == 0) continue;
            if (static_cast<std::size_t>(count) == out.size()) break;
            out[static_cast<std::size_t>(count++)] = {
                p.fd, (p.revents & POLLIN) != 0, (p.revents & POLLOUT) != 0,
                (p.revents & (POLLERR | POLLHUP | POLLRDHUP)) != 0};
        }
        return count;
    }

private:
    static short events_for(server::Interest i) noexcept {
        return static_cast<short>(i == server::Interest::write ? POLLOUT : (POLLIN | POLLRDHUP));
    }
    std::vector<pollfd> fds_;
    std::vector<int> slot_;  // fd -> index into fds_, or -1
};

}  // namespace

std::unique_ptr<server::Poller> make_poll_poller() { return std::make_unique<PollPoller>(); }

extern constinit const server::Model poll_model{
    "poll", "one reactor on poll(): no fd ceiling, O(n) per wait",
    [](server::Context& ctx) {
        return server::run_reactors(ctx, [] { return std::make_unique<PollPoller>(); });
    },
    server::event_loop_reads};

}  // namespace models
