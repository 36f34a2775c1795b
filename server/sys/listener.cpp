#include "server/sys/listener.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <cstring>
#include <system_error>
#include <utility>

#include <spdlog/spdlog.h>

#include "config/config.hpp"

namespace server {
namespace {

[[noreturn]] void fail(const std::string& what) {
    throw std::system_error(errno, std::generic_category(), what);
}

std::string local_name(int fd) {
    sockaddr_storage bound{};
    socklen_t len = sizeof bound;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len) != 0) fail("getsockname");
    return format_address(&bound);
}

// getaddrinfo hands out one entry per address and socket type; SOCK_STREAM leaves one per
// address, but /etc/hosts may list an address twice.
void add_unique(std::vector<Endpoint>& all, const addrinfo& ai) {
    Endpoint e;
    std::memcpy(&e.addr, ai.ai_addr, ai.ai_addrlen);
    e.len = ai.ai_addrlen;
    for (const Endpoint& seen : all) {
        if (seen.len == e.len && std::memcmp(&seen.addr, &e.addr, e.len) == 0) return;
    }
    all.push_back(e);
}

// socket, bind and listen on one address into fd; nullptr, or the step that failed (errno set).
// `reuseport`: join the SO_REUSEPORT group already listening there (Listener::reuseport_twin).
const char* bind_one(const Endpoint& e, int backlog, poly::UniqueFd& fd, bool reuseport = false) {
    fd.reset(::socket(e.addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) return "socket";
    const int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (reuseport && ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        return "SO_REUSEPORT";
    if (e.addr.ss_family == AF_INET6)
        ::setsockopt(fd.get(), IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (::bind(fd.get(), reinterpret_cast<const sockaddr*>(&e.addr), e.len) != 0) return "bind";
    if (::listen(fd.get(), backlog) != 0) return "listen";
    return nullptr;
}

// One listening socket serves every model, so a name's other addresses stay unbound: say so.
void warn_unbound(const std::string& address, const std::string& bound,
                  const ResolvedListen& resolved) {
    std::string others;
    for (const Endpoint& e : resolved.all) {
        const std::string a = format_address(&e.addr);
        if (a == bound) continue;
        others += (others.empty() ? "" : ", ") + a;
    }
    spdlog::warn("--listen {}: listening on {} only, not on {} (name one address to choose)",
                 address, bound, others);
}

}  // namespace

ResolvedListen resolve_listen(const std::string& address) {
    ResolvedListen out;
    const auto la = config::parse_listen(address);
    if (!la) {
        out.error = "--listen: invalid address '" + address + "'";
        return out;
    }
    addrinfo hints{};
    hints.ai_family = la->v6 ? AF_INET6 : AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV | (la->v6 ? AI_NUMERICHOST : 0);
    addrinfo* list = nullptr;
    const std::string port = std::to_string(la->port);
    const int rc = ::getaddrinfo(la->host.c_str(), port.c_str(), &hints, &list);
    if (rc != 0) {
        const std::string why = rc == EAI_SYSTEM ? std::strerror(errno) : ::gai_strerror(rc);
        out.error = "--listen: cannot resolve '" + address + "': " + why;
        return out;
    }
    for (const addrinfo* ai = list; ai != nullptr; ai = ai->ai_next) add_unique(out.all, *ai);
    ::freeaddrinfo(list);
    return out;
}

bool listens_as_configured(const std::string& listening, const ResolvedListen& configured) {
    // "host:port" for IPv4, "[v6]:port" for IPv6: the host part ends at the last colon.
    const auto host_of = [](const std::string& a) { return a.substr(0, a.rfind(':')); };
    for (const Endpoint& e : configured.all) {
        const std::string want = format_address(&e.addr);
        const bool any_port = want.ends_with(":0");
        if (want == listening || (any_port && host_of(want) == host_of(listening))) return true;
    }
    return false;
}

Listener Listener::bind(const std::string& address, int backlog, ListenerKind kind) {
    const ResolvedListen resolved = resolve_listen(address);
    if (resolved.all.empty()) {
        errno = EINVAL;
        fail(resolved.error);
    }
    for (std::size_t i = 0; i < resolved.all.size(); ++i) {
        Listener l;
        const char* step = bind_one(resolved.all[i], backlog, l.fd_);
        // A name may list an address this machine lacks (::1 without IPv6): try the next.
        const bool absent = errno == EADDRNOTAVAIL || errno == EAFNOSUPPORT;
        if (step != nullptr && absent && i + 1 < resolved.all.size()) continue;
        if (step != nullptr) fail(std::string(step) + " " + address);
        l.local_ = local_name(l.fd());
        l.kind_ = kind;
        l.backlog_ = backlog;
        if (resolved.all.size() > 1) warn_unbound(address, l.local_, resolved);
        return l;
    }
    fail("bind " + address);  // not reached: the last address either binds or fails above
}

Listener Listener::adopt(int fd, std::string name, ListenerKind kind) {
    Listener l;
    l.fd_.reset(fd);
    l.set_nonblocking(false);
    l.local_ = local_name(fd);
    l.name_ = std::move(name);
    l.kind_ = kind;
    return l;
}

Listener Listener::reuseport_twin() const {
    Endpoint e;
    e.len = sizeof e.addr;
    if (::getsockname(fd(), reinterpret_cast<sockaddr*>(&e.addr), &e.len) != 0)
        fail("getsockname " + local_);
    if (e.addr.ss_family != AF_INET && e.addr.ss_family != AF_INET6) {
        errno = EOPNOTSUPP;  // a unix socket: Linux spreads no connections between those
        fail("SO_REUSEPORT " + local_);
    }
    const int one = 1;
    if (::setsockopt(fd(), SOL_SOCKET, SO_REUSEPORT, &one, sizeof one) != 0)
        fail("SO_REUSEPORT " + local_);
    Listener twin;
    if (const char* step = bind_one(e, backlog_, twin.fd_, true)) {
        // Left on, the flag would let another process of the same user share the port.
        const int saved = errno;
        const int zero = 0;
        ::setsockopt(fd(), SOL_SOCKET, SO_REUSEPORT, &zero, sizeof zero);
        errno = saved;
        fail(std::string(step) + " " + local_ + " (SO_REUSEPORT)");
    }
    int defer = 0;
    socklen_t len = sizeof defer;
    if (::getsockopt(fd(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, &len) == 0 && defer > 0)
        ::setsockopt(twin.fd(), IPPROTO_TCP, TCP_DEFER_ACCEPT, &defer, sizeof defer);
    twin.local_ = local_;
    twin.name_ = name_;
    twin.backlog_ = backlog_;
    twin.kind_ = kind_;
    return twin;
}

void Listener::set_nonblocking(bool on) const {
    const int flags = ::fcntl(fd(), F_GETFL);
    if (flags < 0 || ::fcntl(fd(), F_SETFL, on ? flags | O_NONBLOCK : flags & ~O_NONBLOCK) < 0)
        fail("fcntl O_NONBLOCK");
}

bool Listener::set_defer_accept(std::chrono::milliseconds wait) const noexcept {
    // On by default (config.hpp): a unix socket (socket activation) has no handshake to
    // defer, so there is nothing to warn about.
    int domain = AF_UNSPEC;
    socklen_t len = sizeof domain;
    if (::getsockopt(fd(), SOL_SOCKET, SO_DOMAIN, &domain, &len) == 0 && domain == AF_UNIX)
        return true;
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
    // No address (AF_UNSPEC): the peer had gone before it could be asked (getpeername after
    // a reset). "-" is what the access log writes for any field it does not know.
    return "-";
}

}  // namespace server
