#include "server/tls/tls_stream.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <string_view>

#include <openssl/err.h>

#include "base/syscall.hpp"
#include "server/tls/spare_buffers.hpp"

namespace server::tls {
namespace {

// A plain-HTTP request on the TLS port, answered as nginx does (in plaintext, then closed).
constexpr std::string_view plain_http_answer =
    "HTTP/1.1 400 Bad Request\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n"
    "Content-Length: 46\r\n"
    "Connection: close\r\n"
    "\r\n"
    "This is a TLS port: use https:// to reach it.\n";
static_assert(plain_http_answer.size() - plain_http_answer.find("\r\n\r\n") - 4 == 46);

// A TLS connection opens with a record of type 22 (handshake); an HTTP request with a
// method's capital letter. Anything else is left to OpenSSL to refuse.
bool looks_like_http(std::byte first) noexcept {
    const auto c = static_cast<unsigned char>(first);
    return c >= 'A' && c <= 'Z';
}

}  // namespace

TlsStream::TlsStream(std::shared_ptr<const TlsContext> ctx, http::Connection& conn,
                     TlsCounters& counters)
    : ctx_(std::move(ctx)), conn_(conn), counters_(counters), ssl_(ctx_->new_ssl()) {
    if (!ssl_) fail(false);
}

// A connection that ends with its pair empty and open (a Connection: close exchange) leaves
// it to the next connection of the thread.
TlsStream::~TlsStream() {
    give_plain_buffer(std::move(plain_));
    if (net_ && !peer_eof_ && pending_out() == 0 && BIO_ctrl_pending(SSL_get_rbio(ssl_.get())) == 0)
        give_bio_pair(detach_bios());
}

bool TlsStream::ensure_bios() noexcept {
    if (net_) return true;
    BioPair pair = take_bio_pair();
    if (!pair.inner) return false;
    BIO* inner = pair.inner.release();
    SSL_set_bio(ssl_.get(), inner, inner);  // one reference, owned by the SSL from here
    net_ = std::move(pair.outer);
    return true;
}

// Takes the pair back from the SSL, which then has no BIO.
BioPair TlsStream::detach_bios() noexcept {
    BIO* inner = SSL_get_rbio(ssl_.get());
    BIO_up_ref(inner);  // SSL_set_bio below drops the SSL's reference
    SSL_set_bio(ssl_.get(), nullptr, nullptr);
    return {BioPtr(inner), std::move(net_)};
}

// Between requests on a kept-alive connection nothing is buffered anywhere: give the BIO
// pair and the plaintext buffer back (about 37 KiB, to the thread's spares: spare_buffers.hpp)
// until the next bytes arrive.
void TlsStream::release_if_idle() noexcept {
    if (state_ != State::open || peer_eof_ || conn_.phase() != http::Phase::idle ||
        conn_.want() != http::Want::read || plain_len_ != 0)
        return;
    give_plain_buffer(std::move(plain_));
    if (!net_ || pending_out() != 0 || BIO_ctrl_pending(SSL_get_rbio(ssl_.get())) != 0 ||
        SSL_has_pending(ssl_.get()) != 0)
        return;
    give_bio_pair(detach_bios());
}

std::span<std::byte> TlsStream::cipher_in_space() {
    if (state_ == State::done || peer_eof_) return {};
    if (!ensure_bios()) {
        fail(false);
        return {};
    }
    char* p = nullptr;
    const int n = BIO_nwrite0(net_.get(), &p);
    if (n <= 0) return {};
    return {reinterpret_cast<std::byte*>(p), static_cast<std::size_t>(n)};
}

void TlsStream::on_cipher_in(std::size_t n) {
    if (state_ == State::done || peer_eof_) return;
    if (!ensure_bios()) return fail(false);
    if (n == 0) {
        peer_eof_ = true;
        BIO_shutdown_wr(net_.get());  // OpenSSL's side now reads EOF after the bytes queued
    } else {
        char* p = nullptr;
        if (BIO_nwrite0(net_.get(), &p) < static_cast<int>(n)) return fail(false);
        if (!seen_bytes_ && looks_like_http(static_cast<std::byte>(*p))) {
            plain_http_ = true;
            return fail(true);
        }
        seen_bytes_ = true;
        BIO_nwrite(net_.get(), &p, static_cast<int>(n));
    }
    pump();
}

std::span<const std::byte> TlsStream::cipher_out() {
    if (plain_http_) {
        const auto rest = plain_http_answer.substr(plain_http_sent_);
        return {reinterpret_cast<const std::byte*>(rest.data()), rest.size()};
    }
    if (!net_) return {};
    char* p = nullptr;
    const int n = BIO_nread0(net_.get(), &p);
    if (n <= 0) return {};
    return {reinterpret_cast<const std::byte*>(p), static_cast<std::size_t>(n)};
}

void TlsStream::on_cipher_sent(std::size_t n) {
    if (plain_http_) {
        plain_http_sent_ = std::min(plain_http_answer.size(), plain_http_sent_ + n);
        return;
    }
    if (!net_ || n == 0) return;
    char* p = nullptr;
    BIO_nread(net_.get(), &p, static_cast<int>(n));
    pump();  // room in the pair: OpenSSL may go on writing
}

std::size_t TlsStream::pending_out() const noexcept {
    if (plain_http_) return plain_http_answer.size() - plain_http_sent_;
    return net_ ? BIO_ctrl_pending(net_.get()) : 0;
}

http::Want TlsStream::want() const noexcept {
    if (pending_out() != 0) return http::Want::write;
    switch (state_) {
        case State::handshake: return http::Want::read;
        case State::closing: return http::Want::write;
        case State::done: return http::Want::close;
        case State::open: break;
    }
    return conn_.want();
}

http::Phase TlsStream::phase() const noexcept {
    if (state_ == State::handshake) return http::Phase::head;
    if (pending_out() != 0 || state_ == State::closing) return http::Phase::write;
    return conn_.phase();
}

bool TlsStream::resumed() const noexcept {
    return handshook_ && ssl_ && SSL_session_reused(ssl_.get()) == 1;
}

bool TlsStream::wants_linger() const noexcept {
    return plain_http_ || (handshook_ && conn_.wants_linger());
}

void TlsStream::on_timeout() {
    if (state_ == State::handshake) return fail(true);
    if (state_ != State::open) return fail(false);  // stuck sending close_notify
    conn_.on_timeout();
    pump();
}

void TlsStream::shutdown() {
    if (state_ == State::handshake) return fail(false);
    if (state_ != State::open) return;
    conn_.shutdown();
    pump();
}

void TlsStream::retire() {
    if (state_ == State::handshake) return conn_.retire();  // the Connection has seen nothing yet
    if (state_ != State::open) return;
    conn_.retire();
    pump();
}

void TlsStream::abort() noexcept {
    fail(false);
    if (ssl_) SSL_set_bio(ssl_.get(), nullptr, nullptr);  // nothing more goes out
    net_.reset();
}

std::size_t TlsStream::buffer_bytes() const noexcept {
    return (net_ ? cipher_out_size + cipher_in_size : 0) + (plain_ ? plain_size : 0);
}

// No more OpenSSL calls; what is already in the pair (an alert) still goes out.
void TlsStream::fail(bool handshake_failure) noexcept {
    if (state_ == State::handshake && handshake_failure && (seen_bytes_ || plain_http_))
        counters_.handshake_failures.fetch_add(1, std::memory_order_relaxed);
    state_ = State::done;
    conn_.abort();
    ERR_clear_error();  // the queue is per thread: leave nothing for the next connection
}

void TlsStream::pump() {
    if (state_ == State::done) return;
    if (!ensure_bios()) return fail(false);
    ERR_clear_error();  // SSL_get_error reads the thread's queue: it must start empty
    for (;;) {
        if (state_ == State::handshake && !step_handshake()) break;
        if (state_ != State::open) break;
        const bool read = read_plaintext();
        const bool wrote = state_ == State::open && write_plaintext();
        if (!read && !wrote) break;
    }
    if ((state_ == State::open && conn_.want() == http::Want::close && plain_len_ == 0) ||
        state_ == State::closing)
        send_close_notify();
    release_if_idle();
}

// One handshake step; true once it completed.
bool TlsStream::step_handshake() {
    const int r = SSL_do_handshake(ssl_.get());
    if (r == 1) {
        finish_handshake();
        return true;
    }
    const int e = SSL_get_error(ssl_.get(), r);
    if ((e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) && !peer_eof_) return false;
    fail(true);  // refused, garbage, or the peer left mid-handshake
    return false;
}

void TlsStream::finish_handshake() noexcept {
    state_ = State::open;
    handshook_ = true;
    counters_.handshakes.fetch_add(1, std::memory_order_relaxed);
    if (SSL_session_reused(ssl_.get()) == 1)
        counters_.resumed.fetch_add(1, std::memory_order_relaxed);
}

// Decrypts into the connection while it reads; true if anything moved.
bool TlsStream::read_plaintext() {
    bool progress = false;
    while (state_ == State::open && conn_.want() == http::Want::read) {
        const std::span<std::byte> space = conn_.read_space();
        std::size_t n = 0;
        const int r = SSL_read_ex(ssl_.get(), space.data(), space.size(), &n);
        if (r == 1) {
            conn_.on_read(n);
            progress = true;
            continue;
        }
        const int e = SSL_get_error(ssl_.get(), r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) break;
        if (e == SSL_ERROR_ZERO_RETURN) {  // close_notify, or EOF (even mid-record)
            ERR_clear_error();
            conn_.on_read(0);
            return true;
        }
        fail(false);  // a bad record: OpenSSL queued its alert
        return true;
    }
    return progress;
}

// Encrypts the connection's output, one record at a time; true if anything moved.
bool TlsStream::write_plaintext() {
    bool progress = false;
    for (;;) {
        if (plain_len_ == 0) {
            if (!fill_plaintext()) return progress;
            progress = true;
        }
        std::size_t n = 0;
        const int r = SSL_write_ex(ssl_.get(), plain_.get(), plain_len_, &n);
        if (r == 1) {
            plain_len_ = 0;
            continue;
        }
        const int e = SSL_get_error(ssl_.get(), r);
        if (e == SSL_ERROR_WANT_WRITE || e == SSL_ERROR_WANT_READ) return progress;
        fail(false);
        return true;
    }
}

// Gathers up to one record of the connection's output (bytes copied, file ranges read with
// pread) and reports it written to the connection; false if there was none.
bool TlsStream::fill_plaintext() {
    if (!plain_) plain_ = take_plain_buffer();
    while (plain_len_ < plain_size && state_ == State::open) {
        const http::Output o = conn_.next_output();
        if (o.empty()) break;
        std::byte* dst = plain_.get() + plain_len_;
        const std::size_t room = plain_size - plain_len_;
        std::size_t n = 0;
        if (o.is_file()) {
            const auto len = static_cast<std::size_t>(std::min<std::uint64_t>(o.file_length, room));
            const ssize_t got = poly::retry_eintr(
                [&] { return ::pread(o.file_fd, dst, len, static_cast<off_t>(o.file_offset)); });
            if (got <= 0) {  // the file shrank or failed under us: the body cannot be finished
                fail(false);
                return false;
            }
            n = static_cast<std::size_t>(got);
        } else {  // head, then the body behind it (Output::tail): both are copied anyway
            n = std::min(o.bytes.size(), room);
            std::memcpy(dst, o.bytes.data(), n);
            const std::size_t t = n == o.bytes.size() ? std::min(o.tail.size(), room - n) : 0;
            if (t > 0) std::memcpy(dst + n, o.tail.data(), t);
            n += t;
        }
        plain_len_ += n;
        conn_.on_written(n);
    }
    return plain_len_ != 0;
}

// Queues close_notify (the peer's is not waited for); while the pair is full, OpenSSL holds
// it and the next pump tries again.
void TlsStream::send_close_notify() noexcept {
    const int r = SSL_shutdown(ssl_.get());
    const bool full = r < 0 && SSL_get_error(ssl_.get(), r) == SSL_ERROR_WANT_WRITE;
    state_ = full ? State::closing : State::done;
    ERR_clear_error();
}

}  // namespace server::tls
