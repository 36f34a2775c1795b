// Listener: one listening socket, bound at startup on the main thread or adopted from systemd
// socket activation (systemd.hpp's take_listeners). Models accept on fd() of every Listener
// in the ListenerSet (listener_set.hpp); each is shared read-only by every thread and
// inherited by forked children.
#pragma once

#include <sys/socket.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "base/unique_fd.hpp"

namespace server {

// One socket address a --listen value names.
struct Endpoint {
    sockaddr_storage addr{};
    socklen_t len = 0;
};

// The addresses of a --listen value, in the resolver's order: a numeric address as it is, a
// host name through getaddrinfo (/etc/hosts, DNS; RFC 6724 order, which /etc/gai.conf
// adjusts). Nothing is bound. Blocks on the resolver; any thread. On failure `error` says why
// in one line naming --listen, and `all` is empty.
struct ResolvedListen {
    std::vector<Endpoint> all;
    std::string error;
};
ResolvedListen resolve_listen(const std::string& address);

// Whether `listening` ("host:port", as Listener::local_address) is one of `configured`'s
// addresses; a configured port 0 matches any port.
bool listens_as_configured(const std::string& listening, const ResolvedListen& configured);

// What a connection accepted on a listener speaks; the connection reads it (Accepted::kind)
// to choose the filter between its socket and http::Connection.
enum class ListenerKind : std::uint8_t {
    plain,  // HTTP/1.1 in clear (--listen)
    tls,    // HTTPS (--tls-listen): the TLS filter (server/tls) between socket and HTTP

};

class Listener {
public:
    // Binds and listens on "host:port" / "[v6]:port" (port 0: ephemeral). A host name that
    // resolves to several addresses is bound on the first this machine has (one listening
    // socket serves every model; a client of the name tries the same first address), with a
    // warning naming the others. SO_REUSEADDR is set; the socket is blocking and CLOEXEC.
    // Throws std::system_error with the address in the message when resolving or binding
    // fails.
    static Listener bind(const std::string& address, int backlog = 4096,
                         ListenerKind kind = ListenerKind::plain);
    // Takes ownership of an already listening socket (socket activation), made blocking like
    // a bound one; `name` is its FileDescriptorName= (may be empty). Throws std::system_error
    // when it cannot be inspected.
    static Listener adopt(int fd, std::string name = {}, ListenerKind kind = ListenerKind::plain);

    [[nodiscard]] int fd() const noexcept { return fd_.get(); }
    // The bound address as "host:port" (with the real port when 0 was asked for).
    [[nodiscard]] const std::string& local_address() const noexcept { return local_; }
    [[nodiscard]] ListenerKind kind() const noexcept { return kind_; }
    // systemd's FileDescriptorName= for an adopted socket ("http", "https" by convention;
    // systemd's default is the socket unit's name); empty for a socket we bound.
    [[nodiscard]] const std::string& name() const noexcept { return name_; }

    // --reuseport: a new listening socket on this one's address, kind and TCP_DEFER_ACCEPT,
    // joined to it in one SO_REUSEPORT group (set on this socket too: Linux lets a listening
    // socket join, and a later bind then shares the port), so the kernel spreads new
    // connections between the two by a hash of their addresses. Must run as the user that
    // bound this one (the kernel groups sockets of one user only). Blocking like a bound one.
    // Throws std::system_error naming the address.
    [[nodiscard]] Listener reuseport_twin() const;

    void set_nonblocking(bool on) const;
    // TCP_DEFER_ACCEPT for `wait` (rounded up to whole seconds; 0 switches it off). A unix
    // socket has no handshake to defer: true, nothing set. Returns false with errno set where
    // a socket refuses the option.
    bool set_defer_accept(std::chrono::milliseconds wait) const noexcept;

private:
    poly::UniqueFd fd_;
    std::string local_;
    std::string name_;
    ListenerKind kind_ = ListenerKind::plain;
    // What listen() was given; for a socket systemd passed, the kernel's cap (systemd's own
    // default Backlog= is SOMAXCONN too), since Linux does not report it.
    int backlog_ = SOMAXCONN;
};

// "a.b.c.d:port", "[v6]:port" or "unix:/path" for a socket address (peer or local).
std::string format_address(const void* sockaddr_storage_ptr);

}  // namespace server
