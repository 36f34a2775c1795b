#include "raw_client.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace itest {
namespace {

using Clock = std::chrono::steady_clock;
constexpr std::size_t max_response_head = 64 * 1024;

std::string lower(std::string_view s) {
    std::string r(s);
    std::transform(r.begin(), r.end(), r.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return r;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

int poll_ms(std::chrono::milliseconds remaining) {
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(0, remaining.count()));
}

// Waits for `events` on fd until the deadline; >0 ready, 0 timeout, <0 error.
int wait_for(int fd, short events, Clock::time_point deadline) {
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd p{fd, events, 0};
        const int r = ::poll(&p, 1, poll_ms(left) + 1);
        if (r < 0 && errno == EINTR) continue;
        if (r == 0 && Clock::now() < deadline) continue;
        return r;
    }
}

}  // namespace

const char* to_string(ReadResult r) noexcept {
    switch (r) {
        case ReadResult::ok: return "ok";
        case ReadResult::closed: return "connection closed by server";
        case ReadResult::timeout: return "timed out";
        case ReadResult::malformed: return "malformed response";
    }
    return "?";
}

std::string HttpResponse::get(std::string_view name) const {
    const std::string n = lower(name);
    for (const auto& [k, v] : headers)
        if (k == n) return v;
    return {};
}

bool HttpResponse::has(std::string_view name) const { return count(name) > 0; }

std::size_t HttpResponse::count(std::string_view name) const {
    const std::string n = lower(name);
    return static_cast<std::size_t>(
        std::count_if(headers.begin(), headers.end(), [&](const auto& h) { return h.first == n; }));
}

bool HttpResponse::has_token(std::string_view name, std::string_view token) const {
    const std::string n = lower(name);
    const std::string t = lower(token);
    for (const auto& [k, v] : headers) {
        if (k != n) continue;
        std::string_view rest = v;
        while (!rest.empty()) {
            const auto comma = rest.find(',');
            if (lower(trim(rest.substr(0, comma))) == t) return true;
            if (comma == std::string_view::npos) break;
            rest.remove_prefix(comma + 1);
        }
    }
    return false;
}

RawClient::RawClient(std::uint16_t port, ClientOptions opts, const TlsOptions& tls) {
    fd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd_ < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
    const int one = 1;
    ::setsockopt(fd_, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (opts.rcvbuf > 0) ::setsockopt(fd_, SOL_SOCKET, SO_RCVBUF, &opts.rcvbuf, sizeof opts.rcvbuf);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    int err = 0;
    if (::connect(fd_, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) != 0) {
        err = errno;
        if (err == EINPROGRESS) {
            if (wait_for(fd_, POLLOUT, Clock::now() + opts.connect_timeout) <= 0)
                err = ETIMEDOUT;
            else {
                socklen_t len = sizeof err;
                ::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len);
            }
        }
    }
    if (err != 0) {
        ::close(fd_);
        fd_ = -1;
        throw std::runtime_error("connect to 127.0.0.1:" + std::to_string(port) + ": " +
                                 std::strerror(err));
    }
    if (resolve(opts.transport) == Transport::tls) {
        tls_ = std::make_unique<TlsClient>(tls);
        tls_chunk_ = tls.handshake_chunk;
        tls_pause_ = tls.pause;
    }
}

RawClient::~RawClient() {
    if (fd_ >= 0) ::close(fd_);
}

bool RawClient::send(std::string_view bytes, std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    if (!tls_) return send_raw(bytes, deadline);
    queued_.append(bytes);
    return advance_tls(deadline);
}

bool RawClient::send_raw(std::string_view bytes, Deadline deadline) {
    while (!bytes.empty()) {
        const ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            if (wait_for(fd_, POLLOUT, deadline) > 0) continue;
            error_ = "send timed out";
            return false;
        }
        error_ = std::string("send: ") + std::strerror(errno);
        return false;
    }
    return true;
}

bool RawClient::send_split(std::string_view bytes, std::size_t chunk,
                           std::chrono::milliseconds pause) {
    // Over TLS, pieces queued behind an unfinished handshake would leave in one record.
    if (tls_ && !handshake()) return false;
    while (!bytes.empty()) {
        const std::size_t n = std::min(chunk, bytes.size());
        if (!send(bytes.substr(0, n))) return false;
        bytes.remove_prefix(n);
        if (!bytes.empty()) std::this_thread::sleep_for(pause);
    }
    return true;
}

void RawClient::shutdown_write() {
    if (tls_ && handshake()) {
        tls_->close_notify();
        flush_tls(false, Clock::now() + io_timeout);
    }
    ::shutdown(fd_, SHUT_WR);
}

RawClient::Fill RawClient::fill(std::chrono::milliseconds timeout) {
    if (closed_) return Fill::closed;
    const auto deadline = Clock::now() + timeout;
    return tls_ ? tls_fill(deadline, false) : recv_raw(buf_, deadline);
}

RawClient::Fill RawClient::recv_raw(std::string& into, Deadline deadline) {
    if (closed_) return Fill::closed;
    char tmp[65536];
    for (;;) {
        const ssize_t n = ::recv(fd_, tmp, sizeof tmp, 0);
        if (n > 0) {
            into.append(tmp, static_cast<std::size_t>(n));
            return Fill::data;
        }
        if (n == 0) {
            closed_ = true;
            return Fill::closed;
        }
        if (errno == EINTR) continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK) {
            if (wait_for(fd_, POLLIN, deadline) > 0) continue;
            return Fill::timeout;
        }
        closed_ = true;  // ECONNRESET and friends: the server is gone
        error_ = std::string("recv: ") + std::strerror(errno);
        return Fill::closed;
    }
}

ReadResult RawClient::fail(ReadResult r, std::string what) {
    error_ = std::move(what);
    return r;
}

void RawClient::reset() {
    const linger abort_on_close{1, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_LINGER, &abort_on_close, sizeof abort_on_close);
    ::close(fd_);
    fd_ = -1;
    closed_ = true;
}

bool RawClient::wait_closed(std::chrono::milliseconds timeout) {
    const auto deadline = Clock::now() + timeout;
    while (!closed_) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        if (left.count() <= 0 || fill(left) == Fill::timeout) {
            error_ = "the server did not close the connection within " +
                     std::to_string(timeout.count()) + " ms";
            return false;
        }
    }
    return true;
}

ReadResult RawClient::parse_head(HttpResponse& out, std::size_t head_end) {
    out.head = buf_.substr(0, head_end + 4);
    out.headers.clear();
    out.body.clear();
    std::string_view rest(out.head);
    auto eol = rest.find("\r\n");
    const std::string_view line = rest.substr(0, eol);
    // "HTTP/1.x SSS reason"
    if (line.size() < 12 || line.substr(0, 7) != "HTTP/1." || line[8] != ' ' ||
        (line.size() > 12 && line[12] != ' '))
        return fail(ReadResult::malformed, "bad status line: " + std::string(line));
    out.version_minor = line[7] - '0';
    out.status = 0;
    for (std::size_t i = 9; i < 12; ++i) {
        if (line[i] < '0' || line[i] > '9')
            return fail(ReadResult::malformed, "bad status code: " + std::string(line));
        out.status = out.status * 10 + (line[i] - '0');
    }
    rest.remove_prefix(eol + 2);
    while ((eol = rest.find("\r\n")) != 0 && eol != std::string_view::npos) {
        const std::string_view h = rest.substr(0, eol);
        const auto colon = h.find(':');
        if (colon == std::string_view::npos || colon == 0 || h.find('\n') != std::string_view::npos)
            return fail(ReadResult::malformed, "bad header line: " + std::string(h));
        out.headers.emplace_back(lower(h.substr(0, colon)), std::string(trim(h.substr(colon + 1))));
        rest.remove_prefix(eol + 2);
    }
    buf_.erase(0, head_end + 4);
    return ReadResult::ok;
}

ReadResult RawClient::read_head(HttpResponse& out, std::chrono::milliseconds timeout) {
    out.interim = 0;
    for (;;) {
        std::size_t end;
        while ((end = buf_.find("\r\n\r\n")) == std::string::npos) {
            if (buf_.size() > max_response_head)
                return fail(ReadResult::malformed, "response head larger than 64 KiB");
            const Fill f = fill(timeout);
            if (f == Fill::timeout) return fail(ReadResult::timeout, "no complete response head");
            if (f == Fill::closed) return fail(ReadResult::closed, "closed before a complete head");
        }
        const int interim = out.interim;
        if (const auto r = parse_head(out, end); r != ReadResult::ok) return r;
        out.interim = interim;
        if (out.status >= 200) return ReadResult::ok;
        ++out.interim;  // 100 Continue and friends: the final response follows
    }
}

ReadResult RawClient::body_length(const HttpResponse& out, bool head_request, std::size_t& len,
                                  bool& until_close) {
    len = 0;
    until_close = false;
    if (head_request || out.status == 204 || out.status == 304) return ReadResult::ok;
    if (out.has("transfer-encoding"))
        return fail(ReadResult::malformed, "unexpected Transfer-Encoding in a response");
    if (out.count("content-length") > 1)
        return fail(ReadResult::malformed, "several Content-Length headers");
    if (!out.has("content-length")) {
        until_close = true;
        return ReadResult::ok;
    }
    const std::string v = out.get("content-length");
    if (v.empty() || v.size() > 15 || v.find_first_not_of("0123456789") != std::string::npos)
        return fail(ReadResult::malformed, "bad Content-Length: " + v);
    len = static_cast<std::size_t>(std::stoull(v));
    return ReadResult::ok;
}

ReadResult RawClient::read_exact(std::string& out, std::size_t n,
                                 std::chrono::milliseconds timeout) {
    while (buf_.size() < n) {
        const Fill f = fill(timeout);
        if (f == Fill::timeout) return fail(ReadResult::timeout, "body incomplete (timeout)");
        if (f == Fill::closed) {
            out.append(buf_);
            buf_.clear();
            return fail(ReadResult::closed, "closed in the middle of the body");
        }
    }
    out.append(buf_, 0, n);
    buf_.erase(0, n);
    return ReadResult::ok;
}

ReadResult RawClient::read_response(HttpResponse& out, bool head_request,
                                    std::chrono::milliseconds timeout) {
    if (const auto r = read_head(out, timeout); r != ReadResult::ok) return r;
    std::size_t len = 0;
    bool until_close = false;
    if (const auto r = body_length(out, head_request, len, until_close); r != ReadResult::ok)
        return r;
    if (!until_close) return read_exact(out.body, len, timeout);
    while (fill(timeout) == Fill::data) {
    }
    if (!closed_) return fail(ReadResult::timeout, "body without length never ended");
    out.body = std::move(buf_);
    buf_.clear();
    return ReadResult::ok;
}

std::string make_request(std::string_view method, std::string_view target,
                         std::string_view extra_headers) {
    std::string r;
    r.append(method).append(" ").append(target).append(" HTTP/1.1\r\nHost: test\r\n");
    r.append(extra_headers).append("\r\n");
    return r;
}

}  // namespace itest
