#include "server/sys/listener.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <system_error>

#include "config/config.hpp"

namespace server {
namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

socklen_t fill_address(const config::ListenAddress& la, sockaddr_storage& ss) {
    std::memset(&ss, 0, sizeof ss);
    if (la.v6) {
        auto* a = reinterpret_cast<sockaddr_in6*>(&ss);
        a->sin6_family = AF_INET6;
        a->sin6_port = htons(la.port);
        if (::inet_pton(AF_INET6, la.host.c_str(), &a->sin6_addr) != 1) return 0;
        return sizeof *a;
    }
    auto* a = reinterpret_cast<sockaddr_in*>(&ss);
    a->sin_family = AF_INET;
    a->sin_port = htons(la.port);
    if (::inet_pton(AF_INET, la.host.c_str(), &a->sin_addr) != 1) return 0;
    return sizeof *a;
}

std::string local_name(int fd) {
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) fail("getsockname");
    return format_address(&bound);
}

}  // namespace

Listener Listener::bind(const std::string& address, int backlog) {
    const auto la = config::parse_listen(address);
    sockaddr_storage ss;
    const socklen_t len = la ? fill_address(*la, ss) : 0;
    if (len == 0) {
        errno = EINVAL;
        fail("listen address '" + address + "' is not a numeric IPv4 or [IPv6] address");
    }
    Listener l;
    l.fd_.reset(::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!l.fd_) fail("socket");
    const int one = 1;
    ::setsockopt(l.fd(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss.ss_family == AF_INET6) ::setsockopt(l.fd(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(l.fd(), reinterpret_cast<sockaddr*>(&ss), len) != 0) fail("bind " + address);
    if (::listen(l.fd(), backlog) != 0) fail("listen " + address);
    l.local_ = local_name(l.fd());
    return l;
}

Listener Listener::adopt(int fd) {
    Listener l;
    l.fd_.reset(fd);
    l.set_nonblocking(false);
    l.local_ = local_name(fd);
    return l;
}

void Listener::set_nonblocking(bool on) const {
    const int flags = ::fcntl(fd(), F_GETFL);
    if (flags < 0 || ::fcntl(fd(), F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) < 0)
        fail("fcntl O_NONBLOCK");
}

bool Listener::set_defer_accept(std::chrono::milliseconds wait) const noexcept {
    const auto secs = static_cast<int>(std::chrono::ceil<std::chrono::seconds>(wait).count());
    return ::setsockopt(fd(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &secs, sizeof secs) == 0;
}

std::string format_address(const void* ptr) {
    const auto* ss = static_cast<const sockaddr_storage*>(ptr);
    char host[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET6) {
        const auto* a = reinterpret_cast<const sockaddr_in6*>(ss);
        ::inet_ntop(AF_INET6, &a->sin6_addr, host, sizeof host);
        return std::string("[") + host + "]:" + std::to_string(ntohs(a->sin6_port));
    }
    if (ss->ss_family == AF_INET) {
        const auto* a = reinterpret_cast<const sockaddr_in*>(ss);
        ::inet_ntop(AF_INET, &a->sin_addr, host, sizeof host);
        return std::string(host) + ":" + std::to_string(ntohs(a->sin_port));
    }
    if (ss->ss_family == AF_UNIX) {
        const auto* a = reinterpret_cast<const sockaddr_un*>(ss);
        // Abstract names start with NUL; a peer of a unix socket is usually unnamed.
        if (a->sun_path[0] == '\0') return "unix";
        const std::size_t n = ::strnlen(a->sun_path, sizeof a->sun_path);
        return "unix:" + std::string(a->sun_path, n);
    }
    return "unix";
}

}  // namespace server
