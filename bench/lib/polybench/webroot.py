"""The fixed web root every server serves: a 679-byte HTML page, four binary files, and for the
compressed cell a 100 KiB HTML page and a 100 KiB JavaScript file (sitefiles.py).

Content is deterministic (a SHA-256 counter stream), so two runs, two machines and every
server send byte-identical bodies. Regenerated only when a file's size or digest is off."""
import hashlib
import os

from . import sitefiles

# label -> (file name, size in bytes); the labels are what --files accepts
FILES = {
    "679B": ("index.html", 679),
    "4KiB": ("4KiB.bin", 4 * 1024),
    "64KiB": ("64KiB.bin", 64 * 1024),
    "1MiB": ("1MiB.bin", 1024 * 1024),
    "10MiB": ("10MiB.bin", 10 * 1024 * 1024),
    "100KiB.html": ("page-100KiB.html", 100 * 1024),
    "100KiB.js": ("app-100KiB.js", 100 * 1024),
}
# The files of the plain matrix (--files); the text ones are the compressed cell's
# (--compress-files), measured there with and without Accept-Encoding.
PLAIN = ("679B", "4KiB", "64KiB", "1MiB", "10MiB")
TEXT = ("100KiB.html", "100KiB.js")


def _page():
    head = ("<!doctype html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
            "<title>polyhttpd bench page</title>\n</head>\n<body>\n"
            "<h1>polyhttpd bench</h1>\n<p>A fixed 679-byte page: the small-response cell of the "
            "model comparison.</p>\n")
    tail = "</body>\n</html>\n"
    filler = "<p>" + "lorem ipsum dolor sit amet " * 30
    body = (head + filler)[: 679 - len(tail) - len("</p>\n")] + "</p>\n" + tail
    assert len(body) == 679, len(body)
    return body.encode()


def _stream(label, size):
    out, counter = bytearray(), 0
    while len(out) < size:
        out += hashlib.sha256(f"{label}:{counter}".encode()).digest() * 64
        counter += 1
    return bytes(out[:size])


def content(label):
    name, size = FILES[label]
    if label == "679B":
        return _page()
    if name.endswith(".html"):
        return sitefiles.html_page(label, size)
    if name.endswith(".js"):
        return sitefiles.js_module(label, size)
    return _stream(label, size)


def ensure(root):
    """Creates or repairs the web root; returns {label: url path}."""
    os.makedirs(root, exist_ok=True)
    paths = {}
    for label, (name, size) in FILES.items():
        path = os.path.join(root, name)
        want = content(label)
        if not _same(path, want):
            tmp = path + ".tmp"
            with open(tmp, "wb") as f:
                f.write(want)
            os.replace(tmp, path)
        os.chmod(path, 0o644)
        paths[label] = "/" + name
    os.chmod(root, 0o755)
    return paths


def _same(path, want):
    try:
        if os.path.getsize(path) != len(want):
            return False
        with open(path, "rb") as f:
            return hashlib.sha256(f.read()).digest() == hashlib.sha256(want).digest()
    except OSError:
        return False


def size_of(label):
    return FILES[label][1]
