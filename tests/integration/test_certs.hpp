// The certificates every TLS test of a run shares, made once (on first use, main thread or
// not: a function-local static) with tests/unit/server/tls/test_pki.hpp's throwaway PKI and
// removed at exit: a root CA (ca_file, for clients to verify against) and two leaves signed
// through an intermediate, each file holding leaf + intermediate as a server's chain does.
// Throws std::runtime_error when OpenSSL fails.
#pragma once

#include <string>
#include <vector>

#include "server/tls/cert_pair.hpp"

namespace itest {

struct TestCerts {
    std::string ca_file;
    server::tls::CertKeyFiles main;   // CN localhost, SAN DNS:localhost: the default pair
    server::tls::CertKeyFiles other;  // CN other.test, SAN DNS:other.test: chosen by SNI
};

const TestCerts& test_certs();

// --tls-listen 127.0.0.1:0 with the main pair: what the suite adds to every server it starts
// when it speaks TLS.
std::vector<std::string> tls_listen_flags();

}  // namespace itest
