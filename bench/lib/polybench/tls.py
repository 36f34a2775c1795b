"""TLS for the bench: the certificates (made at run time with the openssl command, the same
files for every server), each server's TLS settings, the clients' pinning, and the HTTPS probe.

What is held equal: one ECDSA P-256 and one RSA 2048 self-signed leaf for CN/SAN localhost;
TLS 1.3 with TLS_AES_128_GCM_SHA256 and X25519, pinned by the clients (tlsload sets it on its
context; wrk, which has no option for it, gets it from an OpenSSL config file in OPENSSL_CONF):
a client that offers one version, one suite and one group leaves the server no other choice,
and tlsload counts every handshake that negotiated anything else. ALPN offers http/1.1 alone
(wrk offers no ALPN), so no server negotiates h2. Session tickets on everywhere, stateless
(no server-side session cache), with keys each server makes itself; no OCSP stapling.

Used from the orchestrator's main thread; make_certs() runs openssl (a second at most)."""
import os
import socket
import ssl
import subprocess

CERTS = ("ecdsa", "rsa")
LABELS = {"ecdsa": "ECDSA P-256", "rsa": "RSA 2048"}
# The three TLS cells: keep-alive small page (wrk), full and resumed handshakes (tlsload).
MODES = ("keepalive", "full", "resumed")
PINNED = "TLSv1.3 TLS_AES_128_GCM_SHA256 X25519"

_CLIENT_CNF = """\
# Written by bench/run for wrk, whose TLS has no options: OpenSSL applies this to every
# context it makes, so wrk offers exactly what tlsload offers.
openssl_conf = openssl_init
[openssl_init]
ssl_conf = ssl_sect
[ssl_sect]
system_default = system_default_sect
[system_default_sect]
MinProtocol = TLSv1.3
Ciphersuites = TLS_AES_128_GCM_SHA256
Groups = X25519
"""

_SUBJECT = ["-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1",
            "-days", "7"]


def mode_words(keepalive, cert_label="", handshakes="", accept_encoding=""):
    """What a cell does per request, in tables and progress lines: 'keep-alive', 'close',
    e.g. 'TLS RSA 2048 full handshakes', or 'keep-alive, Accept-Encoding: gzip, br'."""
    coding = f", Accept-Encoding: {accept_encoding}" if accept_encoding else ""
    if not cert_label:
        return ("keep-alive" if keepalive else "close") + coding
    return f"TLS {cert_label} " + ("keep-alive" if keepalive else f"{handshakes} handshakes")


class Setup:
    """One certificate kind's files: cert, key, and the client config for wrk."""

    def __init__(self, kind, cert, key, client_cnf):
        self.kind, self.cert, self.key, self.client_cnf = kind, cert, key, client_cnf

    def client_env(self):
        return dict(os.environ, OPENSSL_CONF=self.client_cnf)


def make_certs(directory, kinds=CERTS):
    """{kind: Setup}, the keys and self-signed leaves generated now, in directory."""
    os.makedirs(directory, exist_ok=True)
    cnf = os.path.join(directory, "client.cnf")
    with open(cnf, "w") as f:
        f.write(_CLIENT_CNF)
    out = {}
    for kind in kinds:
        cert, key = (os.path.join(directory, f"{kind}.{ext}") for ext in ("crt", "key"))
        if kind == "ecdsa":
            _openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", key])
            _openssl(["req", "-x509", "-new", "-key", key, "-out", cert] + _SUBJECT)
        else:
            _openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key,
                      "-out", cert] + _SUBJECT)
        out[kind] = Setup(kind, cert, key, cnf)
    return out


def _openssl(args):
    subprocess.run(["openssl"] + args, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.PIPE)


def nginx_directives(t):
    """Inside the server block. ssl_session_cache stays at its default (none): tickets only."""
    return (f"ssl_certificate {t.cert};\n        ssl_certificate_key {t.key};\n"
            "        ssl_protocols TLSv1.2 TLSv1.3;\n        ssl_session_tickets on;\n"
            "        ssl_stapling off;")


def lighttpd_lines(t):
    """mod_openssl (Debian: lighttpd-mod-openssl); tickets are on by default, keys its own.
    HTTP/2 off, so even a client offering h2 gets http/1.1."""
    return "\n".join([
        'server.modules += ( "mod_openssl" )', 'ssl.engine = "enable"',
        f'ssl.pemfile = "{t.cert}"', f'ssl.privkey = "{t.key}"',
        'server.feature-flags += ( "server.h2proto" => "disable" )'])


def h2o_lines(t):
    """Under listen:, then top-level keys. h2o 2.2 always registers h2 in ALPN: our clients
    offer http/1.1 alone, so it cannot be chosen. No OCSP updater (interval 0)."""
    return "\n".join([
        "  ssl:", f"    certificate-file: {t.cert}", f"    key-file: {t.key}",
        "    ocsp-update-interval: 0",
        "ssl-session-resumption:", "  mode: ticket"])


def polyhttpd_args(t, port, plain_port):
    """The plain listener is required to differ from the default :8080 (servers run side by
    side); it stays idle."""
    return ["--listen", f"127.0.0.1:{plain_port}", "--tls-listen", f"127.0.0.1:{port}",
            "--tls-cert", t.cert, "--tls-key", t.key]


def probe(port, path, timeout=5.0):
    """One HTTPS GET with Connection: close: (status, body bytes, negotiated protocol) or
    (None, 0, why). The probe offers ALPN http/1.1 only and needs it chosen."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname, ctx.verify_mode = False, ssl.CERT_NONE
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.set_alpn_protocols(["http/1.1"])
    ctx.options |= getattr(ssl, "OP_IGNORE_UNEXPECTED_EOF", 0)  # a close without close_notify
    req = f"GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as raw, \
                ctx.wrap_socket(raw, server_hostname="localhost") as s:
            if s.selected_alpn_protocol() != "http/1.1":
                return None, 0, f"ALPN {s.selected_alpn_protocol()}"
            s.sendall(req)
            data = bytearray()
            while chunk := s.recv(1 << 20):
                data += chunk
    except (OSError, ssl.SSLError) as e:
        return None, 0, str(e)
    head, _, body = bytes(data).partition(b"\r\n\r\n")
    try:
        return int(head.split(b" ", 2)[1]), len(body), "TLSv1.3"
    except (IndexError, ValueError):
        return None, 0, "no HTTP status line"
