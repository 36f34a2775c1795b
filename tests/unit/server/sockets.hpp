// Socket helpers for the server/ and models/ unit tests: connected socketpairs, a loopback
// client, and reads that wait with a generous bound instead of sleeping. Single-threaded per
// call; every helper throws std::system_error on a syscall failure so Catch reports it.
#pragma once

#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <string>
#include <string_view>
#include <system_error>

#include "base/unique_fd.hpp"

namespace test {

[[noreturn]] inline void fail_errno(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

struct SocketPair {
    poly::UniqueFd near;  // the side under test (a server's connection)
    poly::UniqueFd far;   // the test's side (the client)
};

// A connected AF_UNIX stream pair, both ends non-blocking and CLOEXEC like accepted sockets.
inline SocketPair socket_pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
        fail_errno("socketpair");
    return {poly::UniqueFd(fds[0]), poly::UniqueFd(fds[1])};
}

inline bool poll_for(int fd, short events, std::chrono::milliseconds bound) {
    pollfd p{fd, events, 0};
    int n;
    do n = ::poll(&p, 1, static_cast<int>(bound.count()));
    while (n < 0 && errno == EINTR);
    if (n < 0) fail_errno("poll");
    return n > 0;
}

// Writes all of `bytes`, waiting (up to 5 s per step) while the socket is full.
inline void write_all(int fd, std::string_view bytes) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
        } else if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
            if (!poll_for(fd, POLLOUT, std::chrono::seconds(5))) fail_errno("write_all: stuck");
        } else {
            fail_errno("send");
        }
    }
}

// What is readable right now, without waiting.
inline std::string read_available(int fd) {
    std::string out;
    char buf[16384];
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && errno != EAGAIN && errno != ECONNRESET) fail_errno("recv");
        return out;
    }
}

// Everything until the peer closes; throws if it has not closed within `bound`.
inline std::string read_until_eof(int fd,
                                  std::chrono::milliseconds bound = std::chrono::seconds(5)) {
    std::string out;
    char buf[65536];
    const auto end = std::chrono::steady_clock::now() + bound;
    for (;;) {
        const ssize_t n = ::recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            out.append(buf, static_cast<std::size_t>(n));
            continue;
        }
        if (n == 0 || (n < 0 && errno == ECONNRESET)) return out;
        if (n < 0 && errno != EAGAIN && errno != EINTR) fail_errno("recv");
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !poll_for(fd, POLLIN, left)) {
            errno = ETIMEDOUT;
            fail_errno("read_until_eof: the peer did not close");
        }
    }
}

// Everything read until `needle` has arrived; throws if the peer closes first or it has not
// arrived within `bound`.
inline std::string read_until(int fd, std::string_view needle,
                              std::chrono::milliseconds bound = std::chrono::seconds(5)) {
    std::string out;
    const auto end = std::chrono::steady_clock::now() + bound;
    while (out.find(needle) == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            end - std::chrono::steady_clock::now());
        if (left.count() <= 0 || !poll_for(fd, POLLIN, left)) {
            errno = ETIMEDOUT;
            fail_errno("read_until: not arrived");
        }
        const std::string more = read_available(fd);
        if (more.empty()) {  // readable, yet nothing: the peer closed (or reset)
            errno = ECONNRESET;
            fail_errno("read_until: the peer closed first");
        }
        out += more;
    }
    return out;
}

// A blocking TCP client connected to 127.0.0.1:port (the handshake completes in the
// kernel's backlog, so no accept is needed first).
inline poly::UniqueFd connect_loopback(std::uint16_t port) {
    poly::UniqueFd fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd) fail_errno("socket");
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0)
        fail_errno("connect");
    return fd;
}

inline std::uint16_t local_port(int fd) {
    sockaddr_in a{};
    socklen_t len = sizeof a;
    if (::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) != 0) fail_errno("getsockname");
    return ntohs(a.sin_port);
}

inline bool has_flag(int fd, int get_cmd, int flag) {
    const int flags = ::fcntl(fd, get_cmd);
    if (flags < 0) fail_errno("fcntl");
    return (flags & flag) != 0;
}

}  // namespace test
