#include "server/tls/cert_pair.hpp"

#include <cctype>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <stdexcept>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509v3.h>

namespace server::tls {
namespace {

[[noreturn]] void refuse(const std::string& file, const std::string& why) {
    ERR_clear_error();  // the reason is in the message; leave no stale errors behind
    throw std::runtime_error("tls: " + file + ": " + why);
}

// The whole file, or a refusal naming it (missing, unreadable, a directory...).
std::string read_file(const std::string& path) {
    struct Close {
        void operator()(std::FILE* f) const noexcept { std::fclose(f); }
    };
    const std::unique_ptr<std::FILE, Close> f(std::fopen(path.c_str(), "rb"));
    if (!f) refuse(path, std::string("cannot read: ") + std::strerror(errno));
    std::string text;
    char buf[4096];
    std::size_t n = 0;
    while ((n = std::fread(buf, 1, sizeof buf, f.get())) > 0) text.append(buf, n);
    if (std::ferror(f.get()) != 0)
        refuse(path, std::string("cannot read: ") + std::strerror(errno));
    return text;
}

BioPtr memory_bio(const std::string& text) {
    BioPtr bio(BIO_new_mem_buf(text.data(), static_cast<int>(text.size())));
    if (!bio) throw std::bad_alloc();
    return bio;
}

// An encrypted key fails to load instead of prompting on a terminal.
int no_passphrase(char*, int, int, void*) { return 0; }

void read_certificates(const std::string& path, CertPair& pair) {
    const std::string text = read_file(path);
    const BioPtr bio = memory_bio(text);
    pair.leaf.reset(PEM_read_bio_X509_AUX(bio.get(), nullptr, no_passphrase, nullptr));
    if (!pair.leaf) refuse(path, "no PEM certificate in it");
    pair.chain.reset(sk_X509_new_null());
    if (!pair.chain) throw std::bad_alloc();
    while (X509* extra = PEM_read_bio_X509(bio.get(), nullptr, no_passphrase, nullptr)) {
        if (sk_X509_push(pair.chain.get(), extra) == 0) {
            X509_free(extra);
            throw std::bad_alloc();
        }
    }
    // The loop ends on "no start line" at the end of the file: expected, not an error.
    ERR_clear_error();
}

std::vector<std::string> dns_names(X509* cert) {
    std::vector<std::string> names;
    auto* sans =
        static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(cert, NID_subject_alt_name, nullptr, nullptr));
    if (sans == nullptr) return names;
    for (int i = 0; i < sk_GENERAL_NAME_num(sans); ++i) {
        const GENERAL_NAME* gn = sk_GENERAL_NAME_value(sans, i);
        if (gn->type != GEN_DNS) continue;
        const auto* s = reinterpret_cast<const char*>(ASN1_STRING_get0_data(gn->d.dNSName));
        std::string name(s, static_cast<std::size_t>(ASN1_STRING_length(gn->d.dNSName)));
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        names.push_back(std::move(name));
    }
    GENERAL_NAMES_free(sans);
    return names;
}

// notAfter as seconds since the epoch, and as a date for messages.
std::time_t not_after(const X509* cert, std::string& date) {
    std::tm tm{};
    if (ASN1_TIME_to_tm(X509_get0_notAfter(cert), &tm) != 1) return 0;
    char buf[32];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    date = buf;
    return ::timegm(&tm);
}

}  // namespace

CertPair load_cert_pair(const CertKeyFiles& files, std::time_t now,
                        std::vector<std::string>& warnings) {
    CertPair pair;
    read_certificates(files.cert_file, pair);
    const std::string key_text = read_file(files.key_file);
    const BioPtr key_bio = memory_bio(key_text);
    pair.key.reset(PEM_read_bio_PrivateKey(key_bio.get(), nullptr, no_passphrase, nullptr));
    if (!pair.key) refuse(files.key_file, "no PEM private key in it (or it needs a passphrase)");
    if (X509_check_private_key(pair.leaf.get(), pair.key.get()) != 1)
        refuse(files.key_file, "the key does not match the certificate " + files.cert_file);

    std::string date;
    const std::time_t end = not_after(pair.leaf.get(), date);
    if (end == 0) refuse(files.cert_file, "the certificate's expiry date cannot be read");
    if (end <= now) refuse(files.cert_file, "the certificate expired on " + date);
    if (end - now < expiry_warning_seconds)
        warnings.push_back("tls: " + files.cert_file + ": the certificate expires on " + date);
    pair.names = dns_names(pair.leaf.get());
    return pair;
}

bool host_matches(std::string_view pattern, std::string_view host) noexcept {
    auto equal = [](std::string_view a, std::string_view b) {
        if (a.size() != b.size()) return false;
        for (std::size_t i = 0; i < a.size(); ++i)
            if (std::tolower(static_cast<unsigned char>(a[i])) !=
                std::tolower(static_cast<unsigned char>(b[i])))
                return false;
        return true;
    };
    if (!host.empty() && host.back() == '.') host.remove_suffix(1);  // a fully qualified name
    if (!pattern.starts_with("*.")) return equal(pattern, host);
    const std::size_t dot = host.find('.');
    return dot != 0 && dot != std::string_view::npos && equal(pattern.substr(1), host.substr(dot));
}

}  // namespace server::tls
