// TlsContext: the server's TLS settings and certificates for one configuration generation.
// Built at startup or on reload (any thread; reads the key and certificate files, so it
// blocks on the filesystem, and throws to refuse); afterwards immutable and shared by every
// connection of the generation: new_ssl() and the OpenSSL callbacks it installs may run on
// any number of threads at once. Hold it in a shared_ptr: a TlsStream keeps its generation
// alive, so a reload never pulls a context from under a connection in flight.
//
// What it offers: TLS 1.3 and 1.2 only (1.2 with the ECDHE AEAD suites of Mozilla's
// "intermediate" profile); no renegotiation, no 0-RTT, no compression; ALPN http/1.1 only (a
// client that offers only other protocols gets the alert no_application_protocol); the
// certificate chosen by SNI from each pair's subject alternative names, the first pair the
// default; stateless session tickets sealed with keys from a caller's TicketKeys.
#pragma once

#include <ctime>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "server/tls/cert_pair.hpp"
#include "server/tls/openssl_ptr.hpp"
#include "server/tls/ticket_keys.hpp"

namespace server::tls {

class TlsContext {
public:
    // Throws std::runtime_error (one line naming the file, see load_cert_pair) when a pair is
    // refused, or when `pairs` is empty; `now` is for tests of the expiry checks.
    TlsContext(std::span<const CertKeyFiles> pairs, std::shared_ptr<const TicketKeys> keys,
               std::time_t now = std::time(nullptr));
    TlsContext(const TlsContext&) = delete;  // OpenSSL's callbacks hold its address
    TlsContext& operator=(const TlsContext&) = delete;
    ~TlsContext();

    // One line per certificate that expires within 14 days (startup goes on).
    [[nodiscard]] const std::vector<std::string>& warnings() const noexcept { return warnings_; }

    // The pair a client's SNI `host` selects: the first whose names match, else 0.
    [[nodiscard]] std::size_t pick(std::string_view host) const noexcept;

    // A server-side SSL for one connection, in accept state, without BIOs; null when OpenSSL
    // cannot allocate one.
    [[nodiscard]] SslPtr new_ssl() const noexcept;

private:
    friend struct ContextCallbacks;

    struct Site {
        CertPair pair;
        SslCtxPtr ctx;
    };
    [[nodiscard]] SslCtxPtr make_ctx(const CertPair& pair, const std::string& cert_file) const;

    std::shared_ptr<const TicketKeys> keys_;
    std::vector<Site> sites_;
    std::vector<std::string> warnings_;
};

}  // namespace server::tls
