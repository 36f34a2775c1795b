// RawClient over TLS: the handshake and the records, between the socket's bytes and the
// plaintext the rest of raw_client.cpp reads and writes (through TlsClient, tls_client.hpp).
#include <algorithm>
#include <string>
#include <string_view>
#include <thread>

#include "raw_client.hpp"

namespace itest {

bool RawClient::handshake(std::chrono::milliseconds timeout) {
    if (!tls_) return true;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    if (!advance_tls(deadline)) return false;
    if (tls_->handshake_done()) return true;
    const Fill f = tls_fill(deadline, true);
    if (f == Fill::timeout) error_ = "TLS handshake timed out";
    if (f == Fill::closed && error_.empty()) error_ = "closed during the TLS handshake";
    return f == Fill::data;
}

// Over TLS: the handshake one step on (ClientHello, client Finished), then the queued
// plaintext once it is done. False, with error_, when TLS fails or the socket does.
bool RawClient::advance_tls(Deadline deadline) {
    if (!tls_->handshake_done()) {
        const TlsClient::Step step = tls_->handshake();
        const bool sent = flush_tls(true, deadline);  // a failure may leave an alert to send
        if (step == TlsClient::Step::failed) {
            error_ = tls_->error();
            return false;
        }
        if (!sent || step == TlsClient::Step::want_read) return sent;
    }
    if (!queued_.empty()) {
        const bool ok = tls_->write(queued_);
        queued_.clear();
        if (!ok) {
            error_ = tls_->error();
            return false;
        }
    }
    return flush_tls(false, deadline);
}

bool RawClient::flush_tls(bool handshaking, Deadline deadline) {
    std::string out;
    tls_->take_output(out);
    if (!handshaking || tls_chunk_ == 0) return send_raw(out, deadline);
    for (std::string_view rest = out; !rest.empty();) {
        const std::size_t n = std::min(tls_chunk_, rest.size());
        if (!send_raw(rest.substr(0, n), deadline)) return false;
        rest.remove_prefix(n);
        if (!rest.empty()) std::this_thread::sleep_for(tls_pause_);
    }
    return true;
}

// Over TLS: socket reads fed through the handshake and decrypted until plaintext arrives (or,
// with until_handshake, the handshake completes). Records that carry no plaintext (session
// tickets) do not end the wait. A TLS error counts as the server closing, with error_ set.
RawClient::Fill RawClient::tls_fill(Deadline deadline, bool until_handshake) {
    for (;;) {
        std::string raw;
        if (const Fill f = recv_raw(raw, deadline); f != Fill::data) return f;
        tls_->feed(raw);
        if (!advance_tls(deadline)) {
            closed_ = true;
            return Fill::closed;
        }
        if (!tls_->handshake_done()) continue;
        if (until_handshake) return Fill::data;
        const std::size_t before = buf_.size();
        switch (tls_->read(buf_)) {
            case TlsClient::Read::data: return Fill::data;
            case TlsClient::Read::want_read: continue;
            case TlsClient::Read::closed:
                closed_ = true;
                return buf_.size() > before ? Fill::data : Fill::closed;
            case TlsClient::Read::failed:
                closed_ = true;
                error_ = tls_->error();
                return buf_.size() > before ? Fill::data : Fill::closed;
        }
    }
}

}  // namespace itest
