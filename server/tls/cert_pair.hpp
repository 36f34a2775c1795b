// Loading one certificate/key pair for a TlsContext, and the SNI name match. Called at startup
// and on reload (any thread; reads files, so it blocks on the filesystem); exceptions are its
// way to refuse, since a refusal ends startup or keeps the previous generation.
#pragma once

#include <ctime>
#include <string>
#include <string_view>
#include <vector>

#include "server/tls/openssl_ptr.hpp"

namespace server::tls {

// A certificate file (PEM: the certificate, then optionally its chain) and its key file.
struct CertKeyFiles {
    std::string cert_file;
    std::string key_file;
};

struct CertPair {
    X509Ptr leaf;
    X509StackPtr chain;  // the certificates after the leaf; may be empty
    PkeyPtr key;
    std::vector<std::string> names;  // the leaf's DNS subject alternative names, lower case
};

// A certificate this close to its end is reported (startup goes on).
inline constexpr std::time_t expiry_warning_seconds = 14 * 24 * 3600;

// Loads and checks a pair. Throws std::runtime_error whose message is one line naming the
// file: missing or unreadable, no PEM certificate or key in it, a key that does not match the
// certificate, a certificate expired at `now`. Appends to `warnings` (one line each) when the
// certificate expires within expiry_warning_seconds of `now`.
[[nodiscard]] CertPair load_cert_pair(const CertKeyFiles& files, std::time_t now,
                                      std::vector<std::string>& warnings);

// SNI: `host` (as the client sent it) against one name of a certificate: equal ignoring case,
// or `*.example.com` matching exactly one non-empty leftmost label (RFC 6125 6.4.3, no partial
// wildcards such as `w*.example.com`).
[[nodiscard]] bool host_matches(std::string_view pattern, std::string_view host) noexcept;

}  // namespace server::tls
