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

const Listener* ListenerSet::find(int fd) const noexcept {
    // A handful of listeners at most: a scan beats any index.
    for (const Listener& l : all_) {
        if (l.fd() == fd) return &l;
    }
    return nullptr;
}

void ListenerSet::set_nonblocking(bool on) const {
    for (const Listener& l : all_) l.set_nonblocking(on);
}

std::string ListenerSet::addresses() const {
    std::string out;
    for (const Listener& l : all_) out += (out.empty() ? "" : ", ") + l.local_address();
    return out;
}

}  // namespace server
