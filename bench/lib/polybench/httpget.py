"""A plain-HTTP GET for the checks before a server is measured (servers.probe, the compressed
cell's check): one request with Connection: close, the whole answer read.

Called from the orchestrator's main thread; blocks for at most its timeout per socket call."""
import socket


def exchange(port, path, headers="", timeout=5.0):
    """One GET with Connection: close and extra header lines (each ending in CRLF). Returns
    (status, head bytes, body bytes with any chunked framing removed), or (None, b"", b"")."""
    req = (f"GET {path} HTTP/1.1\r\nHost: localhost\r\n{headers}"
           "Connection: close\r\n\r\n").encode()
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(req)
            data = bytearray()
            while chunk := s.recv(1 << 20):
                data += chunk
    except OSError:
        return None, b"", b""
    head, _, body = bytes(data).partition(b"\r\n\r\n")
    try:
        status = int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return None, b"", b""
    if header_fields(head).get("transfer-encoding", "").lower() == "chunked":
        body = _dechunk(body)  # nginx's gzip filter streams: no Content-Length
    return status, head, body


def header_fields(head):
    """{lower-case name: value} of a response head (the last one wins)."""
    fields = {}
    for line in head.decode("latin-1").split("\r\n")[1:]:
        name, sep, value = line.partition(":")
        if sep:
            fields[name.strip().lower()] = value.strip()
    return fields


def _dechunk(data):
    out, pos = bytearray(), 0
    while True:
        end = data.find(b"\r\n", pos)
        if end < 0:
            return bytes(out)
        size = int(data[pos:end].split(b";")[0] or b"0", 16)
        if size == 0:
            return bytes(out)
        out += data[end + 2:end + 2 + size]
        pos = end + 2 + size + 2
