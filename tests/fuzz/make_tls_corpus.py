#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_tls (tests/fuzz/corpus_tls) deterministically.

Every input is byte 0 flags, bytes 1-2 the split seed, then the wire bytes (fuzz_tls.cpp).
The ClientHello is built here field by field with fixed random, session id and X25519 key
share (RFC 7748's test public key), so running this again writes the same bytes. Usage:
    tests/fuzz/make_tls_corpus.py [DIR]      (default: corpus_tls beside this script)
"""
import os
import struct
import sys

HANDSHAKE, PLAINTEXT, EOF, TIMEOUT, CORRUPT = 1, 2, 4, 8, 16


def u8(b):
    return struct.pack("!B", len(b)) + b


def u16(b):
    return struct.pack("!H", len(b)) + b


def ext(kind, body):
    return struct.pack("!H", kind) + u16(body)


def client_hello(host=b"localhost"):
    suites = bytes.fromhex("130113021303c02bc02fcca9cca8")
    x25519_pub = bytes.fromhex(
        "8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a")
    extensions = b"".join([
        ext(0x0000, u16(b"\x00" + u16(host))),                        # server_name
        ext(0x000a, u16(bytes.fromhex("001d00170018"))),               # supported_groups
        ext(0x000b, u8(b"\x00")),                                      # ec_point_formats
        ext(0x000d, u16(bytes.fromhex("040308040401050308050501"))),   # signature_algorithms
        ext(0x0010, u16(u8(b"http/1.1"))),                             # ALPN
        ext(0x0016, b""),                                              # encrypt_then_mac
        ext(0x0017, b""),                                              # extended_master_secret
        ext(0x0023, b""),                                              # session_ticket
        ext(0x002b, u8(bytes.fromhex("03040303"))),                    # supported_versions
        ext(0x002d, u8(b"\x01")),                                      # psk_key_exchange_modes
        ext(0x0033, u16(struct.pack("!H", 0x001d) + u16(x25519_pub))),  # key_share
    ])
    body = (b"\x03\x03" + bytes(range(32)) + u8(bytes(range(32, 64))) + u16(suites) +
            u8(b"\x00") + u16(extensions))
    handshake = b"\x01" + struct.pack("!I", len(body))[1:] + body
    return b"\x16\x03\x01" + u16(handshake)


def seed(flags, split, wire):
    return struct.pack("!BH", flags, split) + wire


GET = b"GET /hello.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
HELLO = client_hello()

CORPUS = {
    # The first flight.
    "client_hello": seed(0, 0xffff, HELLO),
    "client_hello_dribbled": seed(0, 7, HELLO),
    "client_hello_truncated": seed(0, 1, HELLO[:60]),
    "client_hello_truncated_eof": seed(EOF, 1, HELLO[:120]),
    "client_hello_timeout": seed(TIMEOUT, 2, HELLO[:5]),
    "client_hello_empty_sni": seed(0, 3, client_hello(b"")),
    "plain_get": seed(0, 0xffff, GET),
    "garbage": seed(EOF, 5, bytes([0x16, 0x03, 0x03, 0xff, 0xff]) + b"\x00" * 40),
    "alert_first": seed(0, 9, bytes.fromhex("15030300020228")),
    # After a real handshake: raw records (none can pass its MAC), then sealed requests.
    "records_after_handshake": seed(HANDSHAKE, 11, bytes.fromhex("1703030010") + b"\x41" * 16),
    "oversized_record": seed(HANDSHAKE | EOF, 13, bytes.fromhex("17030348ff") + b"\x00" * 64),
    "handshake_then_get": seed(HANDSHAKE | PLAINTEXT, 0xffff, GET),
    "handshake_then_pipeline": seed(
        HANDSHAKE | PLAINTEXT | EOF, 17,
        GET + b"HEAD /big.txt HTTP/1.1\r\nHost: localhost\r\n\r\n" +
        b"GET /big.txt HTTP/1.1\r\nHost: localhost\r\nRange: bytes=100-70000\r\n\r\n" +
        b"GET /missing HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
    "handshake_then_big_file": seed(HANDSHAKE | PLAINTEXT, 19,
                                    b"GET /big.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"),
    "handshake_then_bad_request": seed(HANDSHAKE | PLAINTEXT, 23, b"GET / HTTP/1.1\r\n\r\n"),
    "handshake_then_timeout": seed(HANDSHAKE | PLAINTEXT | TIMEOUT, 29, GET[:20]),
    "handshake_then_corrupt": seed(HANDSHAKE | PLAINTEXT | CORRUPT, 31, GET),
}


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__),
                                                             "corpus_tls")
    os.makedirs(out, exist_ok=True)
    for name, data in sorted(CORPUS.items()):
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)
    print(f"wrote {len(CORPUS)} inputs to {out}")


if __name__ == "__main__":
    main()
