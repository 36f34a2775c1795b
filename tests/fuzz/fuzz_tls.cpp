// libFuzzer target: the TLS record path. A server-side server::tls::TlsStream over an
// http::Connection (the static root and certificates of the TLS unit tests' harness, made at
// start-up), sans I/O, fed the fuzzer's bytes as ciphertext.
//
// Input layout: byte 0 holds flags, bytes 1-2 seed the generator that splits the bytes into
// reads and the output into writes, the rest are the wire bytes:
//   no flag 1     the wire bytes are the client's first flight: ClientHellos, garbage, plain
//                 HTTP on the TLS port, truncated records;
//   1 handshake   an in-memory OpenSSL client first completes a real handshake, then the wire
//                 bytes follow it as raw records (every one must fail its MAC or framing);
//   1|2 plaintext after the handshake the client encrypts the wire bytes as application data
//                 (so the fuzzer drives HTTP through TLS), and 16 flips one ciphertext byte;
//   4 / 8         the peer closes / the header timeout passes after the last byte.
// Per input it checks: want() == read has cipher_in_space() and want() == write has
// cipher_out() (no stall); it ends in want() == close after an EOF or a timeout; before a
// handshake nothing reaches the Connection and the only bytes out are TLS records or the
// plain-HTTP 400; at most one handshake or one failure is counted; through a handshake, the
// plaintext the client decrypts is the well-formed responses the access log saw.
#include <algorithm>
#include <climits>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fuzz_check.hpp"
#include "response_check.hpp"
#include "splitter.hpp"
#include "unit/server/tls/tls_harness.hpp"

namespace {

using fuzz::require;

struct Plan {
    bool handshake = false;
    bool plaintext = false;
    bool corrupt = false;
    bool eof = false;
    bool timeout = false;
    std::uint32_t seed = 1;
    std::string_view wire;
};

constexpr std::size_t plan_bytes = 3;
// Longer inputs add nothing a split cannot reach, and the client's BIO (64 KiB) must hold the
// sealed form of the whole input.
constexpr std::size_t max_input = 16 * 1024;

Plan read_plan(const std::uint8_t* data, std::size_t size) {
    Plan p;
    const std::uint8_t flags = data[0];
    p.handshake = (flags & 1u) != 0;
    p.plaintext = p.handshake && (flags & 2u) != 0;
    p.eof = (flags & 4u) != 0;
    p.timeout = (flags & 8u) != 0;
    p.corrupt = p.plaintext && (flags & 16u) != 0;
    p.seed = (static_cast<std::uint32_t>(data[1]) << 8 | data[2]) + 1u;  // xorshift needs != 0
    p.wire = {reinterpret_cast<const char*>(data) + plan_bytes, size - plan_bytes};
    return p;
}

// Made once per process: the PKI's key generation is the slow part.
test::tls::Fixture& world() {
    static test::tls::Fixture f;
    return f;
}

class Recorder final : public http::ExchangeSink {
public:
    void exchange_done(const http::Exchange& e) noexcept override {
        head.push_back(e.method == "HEAD");
        status.push_back(e.status);
        body.push_back(e.body_bytes);
        completed = completed && e.completed;
    }
    bool completed = true;
    std::vector<bool> head;
    std::vector<int> status;
    std::vector<std::uint64_t> body;
};

// The transport between the peer and the stream, in the pieces the seed chooses. The peer is
// the in-memory client after a handshake (it decrypts what the server sends), else a sink.
class Driver {
public:
    Driver(server::tls::TlsStream& s, const Plan& plan, test::tls::Client* client)
        : s_(s), plan_(plan), client_(client), split_(plan.seed, {5, 300, 17000}) {}

    void run(std::string_view wire) {
        for (std::size_t pos = 0; s_.want() != http::Want::close;) {
            if (s_.want() == http::Want::write) {
                write_once();
                continue;
            }
            if (pos == wire.size()) break;
            const auto space = s_.cipher_in_space();
            require(!space.empty(), "cipher_in_space() is never empty while want() == read");
            const std::size_t n = std::min(split_.next(wire.size() - pos), space.size());
            std::copy_n(reinterpret_cast<const std::byte*>(wire.data() + pos), n, space.data());
            s_.on_cipher_in(n);
            pos += n;
        }
        if (s_.want() != http::Want::read) return finish();
        if (plan_.eof)
            s_.on_cipher_in(0);
        else if (plan_.timeout)
            s_.on_timeout();
        else
            return;
        finish();
        require(s_.want() == http::Want::close, "an EOF or a timeout ends in close");
    }

    std::string sent;       // ciphertext (or the plain 400) as it left
    std::string plaintext;  // what the client decrypted

private:
    void finish() {
        while (s_.want() == http::Want::write) write_once();
    }

    void write_once() {
        const auto out = s_.cipher_out();
        require(!out.empty(), "want() == write always has ciphertext to send (no stall)");
        std::size_t n = split_.next(out.size());
        if (client_ != nullptr) n = std::min(n, to_client(out.first(n)));
        sent.append(reinterpret_cast<const char*>(out.data()), n);
        s_.on_cipher_sent(n);
    }

    // Into the client's BIO as far as it has room (it reads first, to make some).
    std::size_t to_client(std::span<const std::byte> bytes) {
        read_client();
        char* p = nullptr;
        const int room = BIO_nwrite0(client_->net.get(), &p);
        require(room > 0, "the client keeps reading what the server sends");
        const std::size_t n = std::min(bytes.size(), static_cast<std::size_t>(room));
        std::copy_n(reinterpret_cast<const char*>(bytes.data()), n, p);
        BIO_nwrite(client_->net.get(), &p, static_cast<int>(n));
        read_client();
        return n;
    }

    void read_client() {
        char buf[16384];
        std::size_t got = 0;
        while (SSL_read_ex(client_->ssl.get(), buf, sizeof buf, &got) == 1)
            plaintext.append(buf, got);
        ERR_clear_error();  // the queue is per thread: the server's calls must find it empty
    }

    server::tls::TlsStream& s_;
    const Plan& plan_;
    test::tls::Client* client_;
    fuzz::Splitter split_;
};

// A real handshake between the client and the stream, whole records at a time.
void handshake(test::tls::Client& c, server::tls::TlsStream& s) {
    for (int turn = 0; turn < 100; ++turn) {
        const int rc = SSL_do_handshake(c.ssl.get());
        test::tls::shuttle(c, s, SIZE_MAX);
        if (rc == 1 && s.handshake_done()) return;
    }
    fuzz::violated("an in-memory handshake completes");
}

// What the client sends after the handshake: the wire bytes as records, or as they are.
std::string after_handshake(test::tls::Client& c, const Plan& plan) {
    if (!plan.plaintext) return std::string(plan.wire);
    if (!plan.wire.empty()) {
        std::size_t n = 0;
        require(SSL_write_ex(c.ssl.get(), plan.wire.data(), plan.wire.size(), &n) == 1 &&
                    n == plan.wire.size(),
                "the client encrypts the input");
    }
    std::string records = c.take_output();
    if (plan.corrupt && !records.empty()) {
        char& victim = records[plan.seed % records.size()];
        victim = static_cast<char>(victim ^ 0x20);
    }
    return records;
}

void check_before_handshake(const Driver& d, const Recorder& rec,
                            const server::TlsCounters& counters) {
    require(rec.status.empty(), "nothing reaches the Connection before a handshake");
    require(counters.handshakes == 0, "garbage never completes a handshake");
    const bool plain_400 = d.sent.rfind("HTTP/1.1 400 Bad Request\r\n", 0) == 0;
    const bool records = d.sent.empty() || d.sent[0] == 0x15 || d.sent[0] == 0x16;
    require(plain_400 || records, "only TLS records or the plain-HTTP 400 go out", d.sent);
}

void check_through_handshake(const Driver& d, const Recorder& rec, const Plan& plan,
                             const server::TlsCounters& counters) {
    require(counters.handshakes == 1 && counters.handshake_failures == 0,
            "one handshake counted, no failure");
    if (!plan.plaintext) {
        require(rec.status.empty(), "records the client did not seal never reach the Connection");
        return;
    }
    require(rec.completed, "every exchange completed (the transport never failed mid-response)");
    fuzz::ResponseBounds bounds;
    bounds.max_body = world().site.big.size() + 8192;
    const auto rs = fuzz::split_responses(d.plaintext, rec.head, bounds);
    for (std::size_t i = 0; i < rs.size(); ++i) {
        require(rs[i].status == rec.status[i], "the decrypted status is the logged status");
        require(rs[i].body_length == rec.body[i], "the decrypted body size is the logged size");
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size < plan_bytes || size > max_input) return 0;
    const Plan plan = read_plan(data, size);
    test::tls::Fixture& f = world();
    Recorder rec;
    server::TlsCounters counters;
    http::Connection conn(f.site.handler, f.site.limits, &rec);
    server::tls::TlsStream stream(f.ctx, conn, counters);
    if (!plan.handshake) {
        Driver d(stream, plan, nullptr);
        d.run(plan.wire);
        check_before_handshake(d, rec, counters);
    } else {
        test::tls::Client client(test::tls::ClientOptions{});
        handshake(client, stream);
        Driver d(stream, plan, &client);
        d.run(after_handshake(client, plan));
        check_through_handshake(d, rec, plan, counters);
    }
    require(counters.handshakes + counters.handshake_failures <= 1,
            "one stream counts one handshake or one failure");
    return 0;
}
