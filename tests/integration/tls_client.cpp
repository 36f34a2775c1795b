#include "tls_client.hpp"

#include <cstdlib>
#include <stdexcept>

#include <openssl/err.h>

#include "test_certs.hpp"

namespace itest {
namespace {

std::string drain_errors() {
    std::string out;
    while (const unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        out += (out.empty() ? "" : "; ") + std::string(buf);
    }
    return out;
}

void need(bool good, const char* what) {
    if (!good) throw std::runtime_error(std::string("TLS client: ") + what + ": " + drain_errors());
}

server::tls::SslCtxPtr make_ctx(const TlsOptions& o) {
    server::tls::SslCtxPtr ctx(SSL_CTX_new(TLS_client_method()));
    need(ctx != nullptr, "SSL_CTX_new");
    // TLS 1.1 needs SHA-1 signatures, which security level 1 already forbids to the client:
    // without this the client would refuse by itself and a refusal test would prove nothing.
    if (o.legacy) SSL_CTX_set_security_level(ctx.get(), 0);
    if (o.legacy) need(SSL_CTX_set_cipher_list(ctx.get(), "DEFAULT:@SECLEVEL=0") == 1, "ciphers");
    if (o.min_version != 0)
        need(SSL_CTX_set_min_proto_version(ctx.get(), o.min_version) == 1, "min");
    if (o.max_version != 0)
        need(SSL_CTX_set_max_proto_version(ctx.get(), o.max_version) == 1, "max");
    if (o.verify) {
        need(SSL_CTX_load_verify_locations(ctx.get(), test_certs().ca_file.c_str(), nullptr) == 1,
             "loading the test CA");
        SSL_CTX_set_verify(ctx.get(), SSL_VERIFY_PEER, nullptr);
    }
    // Sessions are handed out by session(), not cached by the context behind the tests' back.
    SSL_CTX_set_session_cache_mode(ctx.get(), SSL_SESS_CACHE_OFF);
    return ctx;
}

SSL_CTX* default_ctx() {
    static const server::tls::SslCtxPtr ctx = make_ctx(TlsOptions{});
    return ctx.get();
}

std::string alpn_wire(const std::vector<std::string>& protos) {
    std::string wire;
    for (const std::string& p : protos) wire += static_cast<char>(p.size()) + p;
    return wire;
}

}  // namespace

Transport default_transport() {
    static const Transport t = [] {
        const char* env = std::getenv("POLYHTTPD_TRANSPORT");
        const std::string v = env != nullptr ? env : "";
        if (v.empty() || v == "plain") return Transport::plain;
        if (v == "tls") return Transport::tls;
        throw std::runtime_error("POLYHTTPD_TRANSPORT is '" + v + "'; use plain or tls");
    }();
    return t;
}

const char* to_string(Transport t) noexcept {
    switch (t) {
        case Transport::suite: return "the suite's";
        case Transport::plain: return "plain";
        case Transport::tls: return "tls";
    }
    return "?";
}

bool TlsOptions::is_default() const {
    return min_version == 0 && max_version == 0 && !legacy && verify;
}

TlsClient::TlsClient(const TlsOptions& opts) {
    if (!opts.is_default()) own_ctx_ = make_ctx(opts);
    ssl_.reset(SSL_new(own_ctx_ ? own_ctx_.get() : default_ctx()));
    need(ssl_ != nullptr, "SSL_new");
    in_ = BIO_new(BIO_s_mem());
    out_ = BIO_new(BIO_s_mem());
    need(in_ != nullptr && out_ != nullptr, "BIO_new");
    BIO_set_mem_eof_return(in_, -1);  // an empty input means "wait for more", not EOF
    SSL_set_bio(ssl_.get(), in_, out_);
    SSL_set_connect_state(ssl_.get());
    SSL_set_app_data(ssl_.get(), this);
    SSL_set_info_callback(ssl_.get(), &TlsClient::info_callback);
    if (!opts.sni.empty()) {
        need(SSL_set_tlsext_host_name(ssl_.get(), opts.sni.c_str()) == 1, "SNI");
        if (opts.verify) need(SSL_set1_host(ssl_.get(), opts.sni.c_str()) == 1, "host check");
    }
    if (!opts.alpn.empty()) {
        const std::string wire = alpn_wire(opts.alpn);
        // SSL_set_alpn_protos returns 0 on success, unlike its neighbours.
        need(SSL_set_alpn_protos(ssl_.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                                 static_cast<unsigned>(wire.size())) == 0,
             "ALPN");
    }
    if (opts.resume) need(SSL_set_session(ssl_.get(), opts.resume.get()) == 1, "SSL_set_session");
}

void TlsClient::info_callback(const SSL* ssl, int where, int ret) {
    if ((where & SSL_CB_ALERT) == 0 || (where & SSL_CB_READ) == 0) return;
    auto* self = static_cast<TlsClient*>(SSL_get_app_data(ssl));
    if (self != nullptr) self->alert_ = SSL_alert_desc_string_long(ret);
}

bool TlsClient::failed(int rc, const char* what) {
    const int err = SSL_get_error(ssl_.get(), rc);
    error_ = std::string(what) + ": SSL error " + std::to_string(err);
    if (const std::string queue = drain_errors(); !queue.empty()) error_ += ": " + queue;
    if (!alert_.empty()) error_ += " (alert received: " + alert_ + ")";
    return false;
}

TlsClient::Step TlsClient::handshake() {
    const int rc = SSL_do_handshake(ssl_.get());
    if (rc == 1) return Step::done;
    if (SSL_get_error(ssl_.get(), rc) == SSL_ERROR_WANT_READ) return Step::want_read;
    failed(rc, "handshake");
    return Step::failed;
}

bool TlsClient::handshake_done() const { return SSL_is_init_finished(ssl_.get()) == 1; }

void TlsClient::feed(std::string_view ciphertext) {
    if (!ciphertext.empty()) BIO_write(in_, ciphertext.data(), static_cast<int>(ciphertext.size()));
}

void TlsClient::take_output(std::string& out) {
    const std::size_t n = BIO_ctrl_pending(out_);
    if (n == 0) return;
    const std::size_t at = out.size();
    out.resize(at + n);
    const int got = BIO_read(out_, out.data() + at, static_cast<int>(n));
    out.resize(at + static_cast<std::size_t>(got > 0 ? got : 0));
}

bool TlsClient::write(std::string_view plain) {
    while (!plain.empty()) {
        std::size_t n = 0;
        const int rc = SSL_write_ex(ssl_.get(), plain.data(), plain.size(), &n);
        if (rc != 1) return failed(rc, "write");
        plain.remove_prefix(n);
    }
    return true;
}

TlsClient::Read TlsClient::read(std::string& out) {
    bool got = false;
    char buf[16384];
    for (;;) {
        std::size_t n = 0;
        const int rc = SSL_read_ex(ssl_.get(), buf, sizeof buf, &n);
        if (rc == 1) {
            out.append(buf, n);
            got = true;
            continue;
        }
        const int err = SSL_get_error(ssl_.get(), rc);
        if (err == SSL_ERROR_WANT_READ) return got ? Read::data : Read::want_read;
        if (err == SSL_ERROR_ZERO_RETURN) return Read::closed;
        failed(rc, "read");
        return Read::failed;
    }
}

void TlsClient::close_notify() {
    if (closing_) return;
    closing_ = true;
    SSL_shutdown(ssl_.get());
}

std::string TlsClient::version() const { return SSL_get_version(ssl_.get()); }

std::string TlsClient::alpn() const {
    const unsigned char* p = nullptr;
    unsigned n = 0;
    SSL_get0_alpn_selected(ssl_.get(), &p, &n);
    return std::string(reinterpret_cast<const char*>(p), n);
}

std::string TlsClient::peer_cn() const {
    const server::tls::X509Ptr cert(SSL_get1_peer_certificate(ssl_.get()));
    if (!cert) return {};
    char cn[256] = {};
    X509_NAME_get_text_by_NID(X509_get_subject_name(cert.get()), NID_commonName, cn, sizeof cn);
    return cn;
}

bool TlsClient::resumed() const { return SSL_session_reused(ssl_.get()) == 1; }

SessionRef TlsClient::session() const {
    SSL_SESSION* s = SSL_get1_session(ssl_.get());
    if (s == nullptr) return {};
    return SessionRef(s, SSL_SESSION_free);
}

std::string client_hello(const TlsOptions& opts) {
    TlsClient c(opts);
    if (c.handshake() != TlsClient::Step::want_read)
        throw std::runtime_error("TLS client: no ClientHello: " + c.error());
    std::string hello;
    c.take_output(hello);
    return hello;
}

}  // namespace itest
