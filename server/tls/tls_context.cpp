#include "server/tls/tls_context.hpp"

#include <stdexcept>

#include <openssl/core_names.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

namespace server::tls {
namespace {

// Mozilla's "intermediate" TLS 1.2 suites (v5.7), less the DHE ones: ECDHE with an AEAD only.
constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";
constexpr const char* tls13_suites =
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256";
constexpr const char* groups = "X25519:P-256:P-384";
// ALPN wire format: a length byte, then the name.
constexpr unsigned char alpn_http11[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};
// Sessions resume only where this matches: every generation and process of the server.
constexpr unsigned char session_context[] = {'p', 'o', 'l', 'y', 'h', 't', 't', 'p', 'd'};

[[noreturn]] void setup_failed(const std::string& file, const char* what) {
    ERR_clear_error();
    throw std::runtime_error("tls: " + file + ": " + what);
}

// The MAC half of a ticket key, as OpenSSL 3's ticket callback wants it.
bool set_hmac_key(EVP_MAC_CTX* hctx, TicketKey& key) noexcept {
    char digest[] = "SHA256";
    const OSSL_PARAM params[] = {
        OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, key.hmac.data(), key.hmac.size()),
        OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0),
        OSSL_PARAM_construct_end()};
    return EVP_MAC_CTX_set_params(hctx, params) == 1;
}

}  // namespace

// OpenSSL's C callbacks, with access to the context they were installed by.
struct ContextCallbacks {
    static const TlsContext* self(SSL* ssl) {
        return static_cast<const TlsContext*>(SSL_CTX_get_app_data(SSL_get_SSL_CTX(ssl)));
    }

    // SNI: switch the connection to the matching pair's SSL_CTX (configured alike, so only
    // the certificate changes). An unknown or absent name keeps the default.
    static int servername(SSL* ssl, int*, void*) {
        const TlsContext* ctx = self(ssl);
        const char* host = SSL_get_servername(ssl, TLSEXT_NAMETYPE_host_name);
        if (host == nullptr || ctx == nullptr) return SSL_TLSEXT_ERR_OK;
        const std::size_t i = ctx->pick(host);
        if (i != 0 && SSL_set_SSL_CTX(ssl, ctx->sites_[i].ctx.get()) == nullptr)
            return SSL_TLSEXT_ERR_ALERT_FATAL;
        return SSL_TLSEXT_ERR_OK;
    }

    static int alpn(SSL*, const unsigned char** out, unsigned char* outlen, const unsigned char* in,
                    unsigned int inlen, void*) {
        unsigned char* chosen = nullptr;
        if (SSL_select_next_proto(&chosen, outlen, alpn_http11, sizeof alpn_http11, in, inlen) !=
            OPENSSL_NPN_NEGOTIATED)
            return SSL_TLSEXT_ERR_ALERT_FATAL;  // sends no_application_protocol
        *out = chosen;
        return SSL_TLSEXT_ERR_OK;
    }

    // Seals (enc == 1) or opens a ticket. Returns: 1 done; 2 opened, renew it; 0 no ticket
    // (or unknown key: full handshake); -1 error.
    static int ticket_key(SSL* ssl, unsigned char name[16], unsigned char* iv, EVP_CIPHER_CTX* cctx,
                          EVP_MAC_CTX* hctx, int enc) {
        const TlsContext* ctx = self(ssl);
        if (ctx == nullptr) return -1;
        TicketKey key;
        if (enc == 1) {
            if (!ctx->keys_->sealing_key(key)) return 0;
            std::copy(key.name.begin(), key.name.end(), name);
            if (RAND_bytes(iv, 16) != 1) return -1;
            if (EVP_EncryptInit_ex(cctx, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv) != 1)
                return -1;
            return set_hmac_key(hctx, key) ? 1 : -1;
        }
        bool renew = false;
        if (!ctx->keys_->opening_key(std::span<const unsigned char, 16>(name, 16), key, renew))
            return 0;
        if (EVP_DecryptInit_ex(cctx, EVP_aes_256_cbc(), nullptr, key.aes.data(), iv) != 1)
            return -1;
        if (!set_hmac_key(hctx, key)) return -1;
        // TLS 1.3 clients use a ticket once (RFC 8446 C.4; OpenSSL's and browsers' do): a
        // resumption that issued no new ticket would leave the next connection a full
        // handshake. So under 1.3 every resumption gets a fresh ticket, as nginx does.
        return renew || SSL_version(ssl) == TLS1_3_VERSION ? 2 : 1;
    }
};

TlsContext::TlsContext(std::span<const CertKeyFiles> pairs, std::shared_ptr<const TicketKeys> keys,
                       std::time_t now)
    : keys_(std::move(keys)) {
    if (pairs.empty()) throw std::runtime_error("tls: no certificate and key given");
    if (!keys_) throw std::runtime_error("tls: no session-ticket key store given");
    sites_.reserve(pairs.size());
    for (const CertKeyFiles& files : pairs) {
        CertPair pair = load_cert_pair(files, now, warnings_);
        SslCtxPtr ctx = make_ctx(pair, files.cert_file);
        sites_.push_back(Site{std::move(pair), std::move(ctx)});
    }
}

TlsContext::~TlsContext() = default;

SslCtxPtr TlsContext::make_ctx(const CertPair& pair, const std::string& cert_file) const {
    SslCtxPtr ctx(SSL_CTX_new(TLS_server_method()));
    if (!ctx) setup_failed(cert_file, "cannot create an SSL_CTX");
    SSL_CTX* c = ctx.get();
    // A peer's EOF without close_notify reads as a close, not an error: HTTP/1.1 frames its
    // own messages, and a half-closed client still gets its response.
    SSL_CTX_set_options(
        c, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_COMPRESSION | SSL_OP_IGNORE_UNEXPECTED_EOF);
    SSL_CTX_set_mode(c, SSL_MODE_RELEASE_BUFFERS | SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
    SSL_CTX_set_max_early_data(c, 0);
    SSL_CTX_set_recv_max_early_data(c, 0);
    // Tickets only: a per-process session cache could not be shared by prefork children.
    SSL_CTX_set_session_cache_mode(c, SSL_SESS_CACHE_OFF);
    // The lifetime a ticket's key is guaranteed to stay in the ring (ticket_keys.hpp); it is
    // also the lifetime hint clients get, and the age past which the server refuses a session.
    SSL_CTX_set_timeout(c, static_cast<long>(ticket_lifetime.count()));
    if (SSL_CTX_set_min_proto_version(c, TLS1_2_VERSION) != 1 ||
        SSL_CTX_set_max_proto_version(c, TLS1_3_VERSION) != 1 ||
        SSL_CTX_set_cipher_list(c, tls12_ciphers) != 1 ||
        SSL_CTX_set_ciphersuites(c, tls13_suites) != 1 ||
        SSL_CTX_set1_groups_list(c, groups) != 1 ||
        SSL_CTX_set_session_id_context(c, session_context, sizeof session_context) != 1 ||
        SSL_CTX_set_tlsext_ticket_key_evp_cb(c, ContextCallbacks::ticket_key) != 1)
        setup_failed(cert_file, "cannot apply the TLS settings");
    SSL_CTX_set_alpn_select_cb(c, ContextCallbacks::alpn, nullptr);
    SSL_CTX_set_tlsext_servername_callback(c, ContextCallbacks::servername);
    SSL_CTX_set_app_data(c, const_cast<TlsContext*>(this));  // read back as const only
    if (SSL_CTX_use_certificate(c, pair.leaf.get()) != 1 ||
        SSL_CTX_use_PrivateKey(c, pair.key.get()) != 1 ||
        SSL_CTX_set1_chain(c, pair.chain.get()) != 1 || SSL_CTX_check_private_key(c) != 1)
        setup_failed(cert_file, "OpenSSL refuses this certificate or its key");
    return ctx;
}

std::size_t TlsContext::pick(std::string_view host) const noexcept {
    for (std::size_t i = 0; i < sites_.size(); ++i)
        for (const std::string& name : sites_[i].pair.names)
            if (host_matches(name, host)) return i;
    return 0;
}

SslPtr TlsContext::new_ssl() const noexcept {
    SslPtr ssl(SSL_new(sites_.front().ctx.get()));
    if (ssl) SSL_set_accept_state(ssl.get());
    return ssl;
}

}  // namespace server::tls
