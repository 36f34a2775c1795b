#include "server/sys/listener_set.hpp"

namespace server {

ListenerSet ListenerSet::bind(const std::vector<std::string>& addresses, ListenerKind kind) {
    ListenerSet set;
    set.bind_more(addresses, kind);
    return set;
}

void ListenerSet::bind_more(const std::vector<std::string>& addresses, ListenerKind kind) {
    for (const std::string& address : addresses) add(Listener::bind(address, 4096, kind));
}

namespace {

// Which group this thread serves (ListenerSet::serve_as_worker); 0 on every thread that is
// not an event loop's.
thread_local unsigned this_worker = 0;

}  // namespace

const std::vector<Listener>& ListenerSet::mine() const noexcept {
    return this_worker == 0 || this_worker > more_.size() ? all_ : more_[this_worker - 1];
}

void ListenerSet::serve_as_worker(unsigned worker) noexcept { this_worker = worker; }

const Listener* ListenerSet::find(int fd) const noexcept {
    // A handful of listeners at most: a scan beats any index.
    for (const Listener& l : mine()) {
        if (l.fd() == fd) return &l;
    }
    return nullptr;
}

void ListenerSet::set_nonblocking(bool on) const {
    for (const Listener& l : all_) l.set_nonblocking(on);
    for (const auto& group : more_) {
        for (const Listener& l : group) l.set_nonblocking(on);
    }
}

void ListenerSet::add_worker_groups(unsigned workers) {
    if (!more_.empty() || workers < 2) return;
    std::vector<std::vector<Listener>> more(workers - 1);
    for (auto& group : more) {
        for (const Listener& l : all_) group.push_back(l.reuseport_twin());
    }
    more_ = std::move(more);  // only once every twin is bound: all or nothing
}

std::string ListenerSet::addresses() const {
    std::string out;
    for (const Listener& l : all_) out += (out.empty() ? "" : ", ") + l.local_address();
    return out;
}

}  // namespace server
