// A socket-free TLS exchange for the TlsStream tests: a client SSL on a BIO pair of its own,
// and a server (a tiny static root, an http::Connection, a TlsStream), with ciphertext moved
// between them by hand in pieces of a chosen size, the way a transport would. Single-threaded.
#pragma once

#include <algorithm>
#include <climits>
#include <cstring>
#include <memory>
#include <string>

#include <openssl/err.h>
#include <openssl/ssl.h>

#include "http/connection.hpp"
#include "http/site/site_table.hpp"
#include "server/tls/ticket_keys.hpp"
#include "server/tls/tls_context.hpp"
#include "server/tls/tls_stream.hpp"
#include "unit/server/tls/test_pki.hpp"

namespace test::tls {

using server::tls::BioPtr;
using server::tls::SslCtxPtr;
using server::tls::SslPtr;

struct ClientOptions {
    int min_version = TLS1_2_VERSION;
    int max_version = TLS1_3_VERSION;
    std::string sni = "localhost";
    std::string alpn = "http/1.1";   // one protocol; empty: no ALPN extension
    bool legacy = false;             // allow what OpenSSL 3 refuses by default (TLS 1.1)
    X509* trust = nullptr;           // verify the server against this root
    SSL_SESSION* session = nullptr;  // resume this
};

class Client {
public:
    explicit Client(const ClientOptions& o) : ctx_(SSL_CTX_new(TLS_client_method())) {
        ok(ctx_ != nullptr, "client SSL_CTX_new");
        SSL_CTX_set_min_proto_version(ctx_.get(), o.min_version);
        SSL_CTX_set_max_proto_version(ctx_.get(), o.max_version);
        if (o.legacy)
            ok(SSL_CTX_set_cipher_list(ctx_.get(), "DEFAULT:@SECLEVEL=0") == 1, "ciphers");
        if (o.trust != nullptr) {
            X509_STORE_add_cert(SSL_CTX_get_cert_store(ctx_.get()), o.trust);
            SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_PEER, nullptr);
        }
        ssl.reset(SSL_new(ctx_.get()));
        ok(ssl != nullptr, "client SSL_new");
        SSL_set_connect_state(ssl.get());
        if (!o.sni.empty()) SSL_set_tlsext_host_name(ssl.get(), o.sni.c_str());
        if (o.trust != nullptr) SSL_set1_host(ssl.get(), o.sni.c_str());
        if (!o.alpn.empty()) {
            const std::string wire = char(o.alpn.size()) + o.alpn;
            SSL_set_alpn_protos(ssl.get(), reinterpret_cast<const unsigned char*>(wire.data()),
                                static_cast<unsigned>(wire.size()));
        }
        if (o.session != nullptr) SSL_set_session(ssl.get(), o.session);
        BIO* inner = nullptr;
        BIO* outer = nullptr;
        ok(BIO_new_bio_pair(&inner, 64 * 1024, &outer, 64 * 1024) == 1, "client BIO pair");
        SSL_set_bio(ssl.get(), inner, inner);
        net.reset(outer);
    }

    // The client's pending ciphertext, taken out (e.g. the first flight).
    std::string take_output() {
        std::string out;
        char* p = nullptr;
        for (int n = BIO_nread0(net.get(), &p); n > 0; n = BIO_nread0(net.get(), &p)) {
            out.append(p, static_cast<std::size_t>(n));
            BIO_nread(net.get(), &p, n);
        }
        return out;
    }

    SslPtr ssl;
    BioPtr net;  // the transport's end

private:
    SslCtxPtr ctx_;
};

// A static root with a small and a large file, and its handler.
struct Site {
    TempRoot tmp;
    std::string big;  // > 64 KiB, served as a file range (above the small-file cache)
    http::SiteTable handler{config(tmp, big)};
    http::ConnectionLimits limits;

    static http::StaticConfig config(const TempRoot& t, std::string& big) {
        t.file("root/hello.txt", "hello over tls\n");
        for (int i = 0; big.size() < 200 * 1024; ++i) big += std::to_string(i) + ',';
        t.file("root/big.txt", big);
        http::StaticConfig cfg;
        cfg.root = t.root();
        cfg.mime_types_file = "";
        return cfg;
    }
};

// One server connection: the Connection and the TlsStream over it.
struct ServerConn {
    ServerConn(const Site& site, std::shared_ptr<const server::tls::TlsContext> ctx,
               server::TlsCounters& counters)
        : conn(site.handler, site.limits), stream(std::move(ctx), conn, counters) {}
    http::Connection conn;
    server::tls::TlsStream stream;
};

inline constexpr std::string_view get_hello = "GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n";

// What most cases need: the PKI, the site, a context with two pairs ("local" for localhost,
// "wild" for *.example.com) and a ticket key store, and counters.
struct Fixture {
    Pki pki;
    Site site;
    std::vector<server::tls::CertKeyFiles> files{
        pki.issue("local", spec("local", {"localhost"})),
        pki.issue("wild", spec("wild", {"*.example.com"}))};
    std::shared_ptr<server::tls::LocalTicketKeys> keys =
        std::make_shared<server::tls::LocalTicketKeys>(3);
    std::shared_ptr<const server::tls::TlsContext> ctx = context(keys);
    server::TlsCounters counters;

    // Another context over the same files (another worker, or the next generation).
    [[nodiscard]] std::shared_ptr<const server::tls::TlsContext> context(
        std::shared_ptr<server::tls::LocalTicketKeys> store) const {
        return std::make_shared<server::tls::TlsContext>(files, std::move(store));
    }
    ServerConn server() { return ServerConn(site, ctx, counters); }
};

// Feeds `bytes` to the server in pieces of `step`, as far as it reads.
inline std::size_t feed(server::tls::TlsStream& s, std::string_view bytes,
                        std::size_t step = SIZE_MAX) {
    std::size_t pos = 0;
    while (pos < bytes.size() && s.want() == http::Want::read) {
        const auto space = s.cipher_in_space();
        if (space.empty()) break;
        const std::size_t n = std::min({space.size(), bytes.size() - pos, step});
        std::memcpy(space.data(), bytes.data() + pos, n);
        s.on_cipher_in(n);
        pos += n;
    }
    return pos;
}

// Takes everything the server has to send.
inline std::string drain(server::tls::TlsStream& s) {
    std::string out;
    for (auto o = s.cipher_out(); !o.empty(); o = s.cipher_out()) {
        out.append(reinterpret_cast<const char*>(o.data()), o.size());
        s.on_cipher_sent(o.size());
    }
    return out;
}

// Moves ciphertext both ways in pieces of at most `step` until neither side has any.
inline bool shuttle(Client& c, server::tls::TlsStream& s, std::size_t step) {
    bool any = false;
    for (bool moved = true; moved;) {
        moved = false;
        char* p = nullptr;
        for (int n = BIO_nread0(c.net.get(), &p); n > 0 && s.want() == http::Want::read;
             n = BIO_nread0(c.net.get(), &p)) {
            const std::size_t k = feed(s, std::string_view(p, static_cast<std::size_t>(n)), step);
            if (k == 0) break;
            BIO_nread(c.net.get(), &p, static_cast<int>(k));
            moved = true;
        }
        for (auto o = s.cipher_out(); !o.empty(); o = s.cipher_out()) {
            const int room = BIO_nwrite0(c.net.get(), &p);
            if (room <= 0) break;
            const std::size_t k = std::min({o.size(), static_cast<std::size_t>(room), step});
            std::memcpy(p, o.data(), k);
            BIO_nwrite(c.net.get(), &p, static_cast<int>(k));
            s.on_cipher_sent(k);
            moved = true;
        }
        if (s.want() == http::Want::close) BIO_shutdown_wr(c.net.get());  // the socket closes
        any |= moved;
    }
    return any;
}

struct Result {
    bool handshake = false;
    unsigned long error = 0;  // the client's first OpenSSL error, if it failed
    std::string response;     // plaintext received
    bool close_notify = false;
};

// Runs the client's side: handshake, then `request`, then reads until nothing moves.
inline Result fetch(Client& c, server::tls::TlsStream& s, std::string_view request,
                    std::size_t step = SIZE_MAX) {
    Result r;
    std::size_t sent = 0;
    char buf[16384];
    for (int turn = 0; turn < 1'000'000; ++turn) {
        bool progress = false;
        ERR_clear_error();
        if (!r.handshake) {
            const int h = SSL_do_handshake(c.ssl.get());
            const int e = SSL_get_error(c.ssl.get(), h);
            if (h == 1) {
                r.handshake = progress = true;
            } else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE) {
                r.error = ERR_peek_error();
                return r;
            }
        }
        if (r.handshake && sent < request.size()) {
            std::size_t n = 0;
            if (SSL_write_ex(c.ssl.get(), request.data() + sent, request.size() - sent, &n) == 1) {
                sent += n;
                progress = true;
            }
        }
        if (r.handshake) {
            std::size_t n = 0;
            while (SSL_read_ex(c.ssl.get(), buf, sizeof buf, &n) == 1) {
                r.response.append(buf, n);
                progress = true;
            }
            if (SSL_get_error(c.ssl.get(), 0) == SSL_ERROR_ZERO_RETURN) {
                r.close_notify = true;
                return r;
            }
        }
        progress |= shuttle(c, s, step);
        if (!progress) return r;
    }
    return r;
}

// The body of a response (after its head), or "<no head>".
inline std::string body_of(const std::string& response) {
    const auto end = response.find("\r\n\r\n");
    return end == std::string::npos ? "<no head>" : response.substr(end + 4);
}

}  // namespace test::tls
