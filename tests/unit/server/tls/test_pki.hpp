// A throwaway PKI for the TLS tests, made with the OpenSSL API at run time (nothing stored in
// the repository): a root CA, an intermediate CA, and leaf certificates with chosen names and
// validity, written as PEM files (leaf then intermediate, as a server's chain file) into a
// TempRoot. EC P-256 keys throughout: they are quick to make and to sign with. Single-threaded;
// throws on any OpenSSL failure so Catch reports it.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

#include "server/tls/cert_pair.hpp"
#include "server/tls/openssl_ptr.hpp"
#include "unit/http/temp_root.hpp"

namespace test::tls {

using server::tls::PkeyPtr;
using server::tls::X509Ptr;

inline void ok(bool good, const char* what) {
    if (!good) throw std::runtime_error(std::string("test PKI: ") + what);
}

inline PkeyPtr make_key() {
    PkeyPtr key(EVP_EC_gen("P-256"));
    ok(key != nullptr, "EVP_EC_gen");
    return key;
}

struct CertSpec {
    std::string cn;
    std::vector<std::string> dns;    // subject alternative names
    long valid_from = -3600;         // seconds from now
    long valid_until = 90L * 86400;  // seconds from now
    bool ca = false;
};

inline CertSpec spec(std::string cn, std::vector<std::string> dns, long valid_until = 90L * 86400,
                     long valid_from = -3600) {
    CertSpec s;
    s.cn = std::move(cn);
    s.dns = std::move(dns);
    s.valid_until = valid_until;
    s.valid_from = valid_from;
    return s;
}

inline CertSpec ca_spec(std::string cn) {
    CertSpec s = spec(std::move(cn), {}, 3650L * 86400);
    s.ca = true;
    return s;
}

inline void add_ext(X509* cert, X509* issuer, int nid, const std::string& value) {
    X509V3_CTX v3;
    X509V3_set_ctx(&v3, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &v3, nid, value.c_str());
    ok(ext != nullptr && X509_add_ext(cert, ext, -1) == 1, "extension");
    X509_EXTENSION_free(ext);
}

// A certificate for `key`, signed by issuer/issuer_key (null: self-signed).
inline X509Ptr make_cert(const CertSpec& spec, EVP_PKEY* key, X509* issuer, EVP_PKEY* issuer_key) {
    static long serial = 1;
    X509Ptr cert(X509_new());
    ok(cert != nullptr, "X509_new");
    X509* c = cert.get();
    X509_set_version(c, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(c), serial++);
    X509_gmtime_adj(X509_getm_notBefore(c), spec.valid_from);
    X509_gmtime_adj(X509_getm_notAfter(c), spec.valid_until);
    X509_set_pubkey(c, key);
    X509_NAME* name = X509_get_subject_name(c);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                               reinterpret_cast<const unsigned char*>(spec.cn.c_str()), -1, -1, 0);
    X509_set_issuer_name(c, issuer != nullptr ? X509_get_subject_name(issuer) : name);
    X509* signer = issuer != nullptr ? issuer : c;
    add_ext(c, signer, NID_basic_constraints, spec.ca ? "critical,CA:TRUE" : "CA:FALSE");
    if (spec.ca) add_ext(c, signer, NID_key_usage, "critical,keyCertSign,cRLSign");
    add_ext(c, signer, NID_subject_key_identifier, "hash");
    if (issuer != nullptr) add_ext(c, signer, NID_authority_key_identifier, "keyid");
    std::string sans;
    for (const std::string& d : spec.dns) sans += (sans.empty() ? "DNS:" : ",DNS:") + d;
    if (!sans.empty()) add_ext(c, signer, NID_subject_alt_name, sans);
    ok(X509_sign(c, issuer_key != nullptr ? issuer_key : key, EVP_sha256()) > 0, "X509_sign");
    return cert;
}

inline std::string pem(X509* cert) {
    server::tls::BioPtr bio(BIO_new(BIO_s_mem()));
    ok(PEM_write_bio_X509(bio.get(), cert) == 1, "PEM_write_bio_X509");
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

inline std::string pem(EVP_PKEY* key) {
    server::tls::BioPtr bio(BIO_new(BIO_s_mem()));
    ok(PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) == 1,
       "PEM_write_bio_PrivateKey");
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio.get(), &data);
    return std::string(data, static_cast<std::size_t>(n));
}

class Pki {
public:
    Pki()
        : root_key_(make_key()),
          root_(make_cert(ca_spec("Test Root"), root_key_.get(), nullptr, nullptr)),
          inter_key_(make_key()),
          inter_(make_cert(ca_spec("Test Intermediate"), inter_key_.get(), root_.get(),
                           root_key_.get())) {}

    // Writes <name>.crt (leaf + intermediate) and <name>.key; `wrong_key` writes a key that
    // is not the certificate's.
    server::tls::CertKeyFiles issue(const std::string& name, const CertSpec& spec,
                                    bool wrong_key = false) const {
        const PkeyPtr key = make_key();
        const X509Ptr leaf = make_cert(spec, key.get(), inter_.get(), inter_key_.get());
        const PkeyPtr other = wrong_key ? make_key() : nullptr;
        dir.file(name + ".crt", pem(leaf.get()) + pem(inter_.get()));
        dir.file(name + ".key", pem(wrong_key ? other.get() : key.get()), 0600);
        return {dir.path(name + ".crt"), dir.path(name + ".key")};
    }

    [[nodiscard]] X509* root() const noexcept { return root_.get(); }

    TempRoot dir;

private:
    PkeyPtr root_key_;
    X509Ptr root_;
    PkeyPtr inter_key_;
    X509Ptr inter_;
};

}  // namespace test::tls
