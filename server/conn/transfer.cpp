#include "server/conn/transfer.hpp"

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include <algorithm>
#include <cerrno>

#include "base/syscall.hpp"

namespace server {
namespace {

IoResult from_errno() {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return {IoStatus::would_block, 0, 0};
    return {IoStatus::error, 0, errno};
}

// One sendfile call moves at most this much, so one connection cannot hog a blocking
// thread's time slice nor an event loop's turn.
constexpr std::uint64_t max_sendfile_chunk = 1 << 20;

// Head and, when set, the in-memory body behind it in one call: sendmsg() of two iovecs,
// so the body is not copied into the head's buffer first.
ssize_t send_bytes(int fd, const http::Output& out) {
    const int flags = MSG_NOSIGNAL | (out.more ? MSG_MORE : 0);
    if (out.tail.empty())
        return poly::retry_eintr(
            [&] { return ::send(fd, out.bytes.data(), out.bytes.size(), flags); });
    iovec iov[2] = {{const_cast<std::byte*>(out.bytes.data()), out.bytes.size()},
                    {const_cast<std::byte*>(out.tail.data()), out.tail.size()}};
    msghdr msg{};
    msg.msg_iov = iov;
    msg.msg_iovlen = 2;
    return poly::retry_eintr([&] { return ::sendmsg(fd, &msg, flags); });
}

}  // namespace

IoResult receive_into(int fd, Session& s) {
    const auto space = s.read_space();
    if (space.empty()) return {IoStatus::error, 0, ENOBUFS};  // never while want() is read
    const ssize_t n = poly::retry_eintr([&] { return ::recv(fd, space.data(), space.size(), 0); });
    if (n < 0) return from_errno();
    s.on_read(static_cast<std::size_t>(n));
    if (n == 0) return {IoStatus::closed, 0, 0};
    const auto got = static_cast<std::size_t>(n);
    return {IoStatus::progress, got, 0, got == space.size()};
}

IoResult receive_via(int fd, Session& s, std::span<std::byte> scratch) {
    if (s.is_tls()) return receive_into(fd, s);
    const ssize_t n =
        poly::retry_eintr([&] { return ::recv(fd, scratch.data(), scratch.size(), 0); });
    if (n < 0) return from_errno();
    const auto got = static_cast<std::size_t>(n);
    s.on_data(scratch.first(got));
    if (n == 0) return {IoStatus::closed, 0, 0};
    return {IoStatus::progress, got, 0, got == scratch.size()};
}

IoResult send_from(int fd, Session& s) {
    const http::Output out = s.next_output();
    if (out.empty()) return {IoStatus::progress, 0, 0};
    ssize_t n;
    if (out.is_file()) {
        off_t offset = static_cast<off_t>(out.file_offset);
        const auto len = static_cast<std::size_t>(std::min(out.file_length, max_sendfile_chunk));
        n = poly::retry_eintr([&] { return ::sendfile(fd, out.file_fd, &offset, len); });
        if (n == 0) return {IoStatus::error, 0, EIO};  // the file was truncated under us
    } else {
        n = send_bytes(fd, out);
    }
    if (n < 0) return from_errno();
    s.on_written(static_cast<std::size_t>(n));
    return {IoStatus::progress, static_cast<std::size_t>(n), 0};
}

}  // namespace server
