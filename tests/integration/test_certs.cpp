#include "test_certs.hpp"

#include "unit/server/tls/test_pki.hpp"

namespace itest {
namespace {

struct Made {
    test::tls::Pki pki;
    TestCerts certs;
    Made() {
        certs.main = pki.issue("main", test::tls::spec("localhost", {"localhost"}));
        certs.other = pki.issue("other", test::tls::spec("other.test", {"other.test"}));
        pki.dir.file("ca.crt", test::tls::pem(pki.root()));
        certs.ca_file = pki.dir.path("ca.crt");
    }
};

}  // namespace

const TestCerts& test_certs() {
    static const Made made;
    return made.certs;
}

std::vector<std::string> tls_listen_flags() {
    const TestCerts& c = test_certs();
    return {"--tls-listen",   "127.0.0.1:0", "--tls-cert",
            c.main.cert_file, "--tls-key",   c.main.key_file};
}

}  // namespace itest
