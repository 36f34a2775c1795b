// TlsClient: the test client's side of TLS, an OpenSSL client driven through memory BIOs so
// that RawClient keeps doing every socket call (and every poll() with a timeout) itself:
// ciphertext from the socket goes in with feed(), ciphertext for the socket comes out of
// take_output(), plaintext goes through write() and read(). Nothing here touches a socket or
// blocks. One object per connection, used by one thread at a time; objects on many threads
// are fine (the default SSL_CTX is built once and shared, which OpenSSL allows). Never moved:
// OpenSSL's callbacks hold its address. Also: the suite's transport, chosen by environment.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/tls/openssl_ptr.hpp"

namespace itest {

// The transport the suite speaks to the server: $POLYHTTPD_TRANSPORT, "plain" (or unset) or
// "tls". Anything else throws, so that a typo never runs the plain suite under a TLS label.
// `suite` stands for that choice where a default must be a constant; resolve() makes it one.
enum class Transport { suite, plain, tls };
Transport default_transport();
inline Transport resolve(Transport t) { return t == Transport::suite ? default_transport() : t; }
const char* to_string(Transport t) noexcept;

using SessionRef = std::shared_ptr<SSL_SESSION>;

struct TlsOptions {
    std::string sni = "localhost";                 // empty: no server_name extension
    std::vector<std::string> alpn = {"http/1.1"};  // empty: no ALPN extension
    int min_version = 0;                           // TLS1_2_VERSION etc.; 0: OpenSSL's default
    int max_version = 0;
    bool legacy = false;  // security level 0: lets the client offer TLS 1.1 at all
    bool verify = true;   // against the test CA, with `sni` as the expected name
    SessionRef resume{};  // a session from an earlier connection to offer
    // Each piece of handshake ciphertext goes to the socket in slices of this many bytes with
    // `pause` between them (0: whole), for the dribbled-handshake test.
    std::size_t handshake_chunk = 0;
    std::chrono::milliseconds pause{0};
    [[nodiscard]] bool is_default() const;
};

class TlsClient {
public:
    // Throws std::runtime_error when OpenSSL cannot set the client up.
    explicit TlsClient(const TlsOptions& opts);
    TlsClient(const TlsClient&) = delete;
    TlsClient& operator=(const TlsClient&) = delete;

    enum class Step { done, want_read, failed };
    // Advances the handshake as far as the ciphertext fed so far allows.
    Step handshake();
    [[nodiscard]] bool handshake_done() const;

    void feed(std::string_view ciphertext);
    // Appends the ciphertext waiting to go out to `out`; it leaves the client.
    void take_output(std::string& out);

    // Encrypts all of `plain` (false on a TLS error; only once the handshake is done).
    bool write(std::string_view plain);
    enum class Read { data, want_read, closed, failed };
    // Appends all the plaintext the ciphertext fed so far holds; `closed` on close_notify.
    Read read(std::string& out);
    // Queues close_notify (once).
    void close_notify();

    // After the handshake: "TLSv1.3", the ALPN protocol chosen ("" none), the leaf's CN,
    // whether the offered session was resumed, and the session to offer next time.
    [[nodiscard]] std::string version() const;
    [[nodiscard]] std::string alpn() const;
    [[nodiscard]] std::string peer_cn() const;
    [[nodiscard]] bool resumed() const;
    [[nodiscard]] SessionRef session() const;
    // Why the last call failed: the OpenSSL error queue, and any alert received or sent.
    [[nodiscard]] const std::string& error() const noexcept { return error_; }
    // The long text of the last alert the server sent ("no application protocol"), or "".
    [[nodiscard]] const std::string& alert_received() const noexcept { return alert_; }

private:
    static void info_callback(const SSL* ssl, int where, int ret);
    bool failed(int rc, const char* what);

    server::tls::SslCtxPtr own_ctx_;  // only for non-default options
    server::tls::SslPtr ssl_;
    BIO* in_ = nullptr;  // owned by ssl_
    BIO* out_ = nullptr;
    bool closing_ = false;
    std::string error_;
    std::string alert_;
};

// The ClientHello a client with `opts` sends first: bytes for tests that take the handshake
// apart (truncate it, stall after it).
std::string client_hello(const TlsOptions& opts = {});

}  // namespace itest
