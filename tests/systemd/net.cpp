// The HTTP, socket and process helpers of daemon.hpp.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "daemon.hpp"

namespace systest {
namespace {

constexpr int io_timeout_ms = 10'000;

bool wait_fd(int fd, short events) {
    pollfd p{fd, events, 0};
    return ::poll(&p, 1, io_timeout_ms) > 0;
}

bool send_all(int fd, std::string_view data) {
    while (!data.empty()) {
        if (!wait_fd(fd, POLLOUT)) return false;
        const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
        if (n <= 0) return false;
        data.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

// Reads one response: the head, then Content-Length bytes (or to EOF without one).
HttpResult read_response(int fd, bool to_eof) {
    HttpResult r;
    std::string buf;
    std::size_t head_end = std::string::npos;
    std::size_t want = std::string::npos;
    char chunk[16384];
    for (;;) {
        if (head_end != std::string::npos && want != std::string::npos &&
            buf.size() >= head_end + want)
            break;
        if (!wait_fd(fd, POLLIN)) {
            r.error = "timeout";
            return r;
        }
        const ssize_t n = ::recv(fd, chunk, sizeof chunk, 0);
        if (n < 0) {
            r.error = std::strerror(errno);
            return r;
        }
        if (n == 0) break;
        buf.append(chunk, static_cast<std::size_t>(n));
        if (head_end == std::string::npos && (head_end = buf.find("\r\n\r\n")) != buf.npos) {
            head_end += 4;
            const auto cl = buf.find("\r\nContent-Length: ");
            if (cl != std::string::npos && cl < head_end && !to_eof)
                want = std::stoul(buf.substr(cl + 18));
        }
    }
    if (head_end == std::string::npos || buf.compare(0, 9, "HTTP/1.1 ") != 0) {
        r.error = "no complete response head: " + buf.substr(0, 200);
        return r;
    }
    r.head = buf.substr(0, head_end);
    r.body = buf.substr(head_end, want);
    r.status = std::stoi(buf.substr(9, 3));
    return r;
}

HttpResult exchange(int fd, const std::string& target, const std::string& extra) {
    const std::string req = "GET " + target + " HTTP/1.1\r\nHost: test\r\n" + extra +
                            "Connection: close\r\n\r\n";
    if (!send_all(fd, req)) return {0, "", "", "send failed"};
    return read_response(fd, true);
}

}  // namespace

HttpResult http_get(std::uint16_t port, const std::string& target,
                    const std::string& extra_headers) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    HttpResult r;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        r.error = std::string("connect: ") + std::strerror(errno);
    else
        r = exchange(fd, target, extra_headers);
    ::close(fd);
    return r;
}

HttpResult http_get_unix(const std::string& socket_path, const std::string& target) {
    const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, socket_path.c_str(), sizeof a.sun_path - 1);
    HttpResult r;
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        r.error = std::string("connect: ") + std::strerror(errno);
    else
        r = exchange(fd, target, "");
    ::close(fd);
    return r;
}

KeepAlive::KeepAlive(std::uint16_t port) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error("connect");
}

KeepAlive::~KeepAlive() { ::close(fd_); }

HttpResult KeepAlive::get(const std::string& target) {
    if (!send_all(fd_, "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n"))
        return {0, "", "", "send failed"};
    return read_response(fd_, false);
}

StalledClient::StalledClient(std::uint16_t port, const std::string& target) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    const int small = 4096;
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 ||
        !send_all(fd_, "GET " + target + " HTTP/1.1\r\nHost: test\r\n\r\n"))
        throw std::runtime_error("stalled client: connect/send failed");
}

StalledClient::~StalledClient() { ::close(fd_); }

std::uint16_t free_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    ::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    ::close(fd);
    return ntohs(a.sin_port);
}

int run_command(const std::vector<std::string>& argv, std::string& output) {
    Daemon d(argv);
    const auto st = d.wait_exit(60s);
    d.wait_output("\x01never", 200ms);  // let the drain thread reach EOF
    output = d.output();
    if (!st || !WIFEXITED(*st)) return -1;
    return WEXITSTATUS(*st);
}

NotifySocket::NotifySocket(const std::filesystem::path& path) : path_(path) {
    fd_ = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un a{};
    a.sun_family = AF_UNIX;
    std::strncpy(a.sun_path, path.c_str(), sizeof a.sun_path - 1);
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0)
        throw std::runtime_error("bind notify socket");
}

NotifySocket::~NotifySocket() {
    ::close(fd_);
    ::unlink(path_.c_str());
}

bool NotifySocket::wait_for(std::string_view needle, std::chrono::milliseconds timeout,
                            std::vector<std::string>& seen) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd p{fd_, POLLIN, 0};
        if (left.count() <= 0 || ::poll(&p, 1, static_cast<int>(left.count())) <= 0) return false;
        char buf[4096];
        const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
        if (n <= 0) continue;
        seen.emplace_back(buf, static_cast<std::size_t>(n));
        if (seen.back().find(needle) != std::string::npos) return true;
    }
}

}  // namespace systest
