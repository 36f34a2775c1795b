#include "server/conn/session.hpp"

#include <algorithm>
#include <cstring>

namespace server {

Session::Session(http::Connection& http, std::shared_ptr<const tls::TlsContext> tls,
                 TlsCounters& counters)
    : http_(http),
      tls_(tls ? std::make_unique<tls::TlsStream>(std::move(tls), http, counters) : nullptr) {}

Session::~Session() = default;

std::span<std::byte> Session::read_space() {
    if (!tls_) return http_.read_space();
    feed_backlog();
    if (!backlog_.empty()) return {};  // bytes received earlier go first
    return tls_->cipher_in_space();
}

void Session::on_read(std::size_t n) {
    if (tls_)
        tls_->on_cipher_in(n);
    else
        http_.on_read(n);
}

void Session::on_data(std::span<const std::byte> data) {
    if (!tls_) return http_.on_data(data);
    if (data.empty()) {  // the peer's FIN, after whatever still waits
        if (backlog_.empty())
            tls_->on_cipher_in(0);
        else
            eof_after_backlog_ = true;
        return;
    }
    if (!backlog_.empty()) {
        backlog_.insert(backlog_.end(), data.begin(), data.end());
        feed_backlog();
        return;
    }
    feed(data);
}

// Copies ciphertext into the stream while it has room; what it cannot take yet waits.
void Session::feed(std::span<const std::byte> data) {
    while (!data.empty()) {
        const std::span<std::byte> space = tls_->cipher_in_space();
        if (space.empty()) break;
        const std::size_t n = std::min(space.size(), data.size());
        std::memcpy(space.data(), data.data(), n);
        tls_->on_cipher_in(n);
        data = data.subspan(n);
    }
    if (!data.empty() && tls_->want() != http::Want::close)
        backlog_.insert(backlog_.end(), data.begin(), data.end());
}

void Session::feed_backlog() {
    if (backlog_.empty()) return;
    std::vector<std::byte> pending;
    pending.swap(backlog_);  // feed() appends what is still left over
    feed(pending);
    if (backlog_.empty() && eof_after_backlog_) {
        eof_after_backlog_ = false;
        tls_->on_cipher_in(0);
    }
}

http::Output Session::next_output() {
    if (!tls_) return http_.next_output();
    http::Output out;
    out.bytes = tls_->cipher_out();
    return out;
}

void Session::on_written(std::size_t n) {
    if (!tls_) return http_.on_written(n);
    tls_->on_cipher_sent(n);
    feed_backlog();  // output went out: the stream may read again
}

void Session::on_timeout() {
    if (tls_)
        tls_->on_timeout();
    else
        http_.on_timeout();
}

void Session::shutdown() {
    if (tls_)
        tls_->shutdown();
    else
        http_.shutdown();
}

void Session::retire() {
    if (tls_)
        tls_->retire();
    else
        http_.retire();
}

void Session::abort() noexcept {
    if (!tls_) return http_.abort();
    tls_->abort();
    backlog_ = {};
}

}  // namespace server
