"""The compressed cell: each server's compression settings, and the check that a server really
sends a compressed body before it is measured.

What each server does (issue 16 compares a cached variant with nginx and lighttpd):
- polyhttpd: `--compress br,zstd,gzip`, the issue's list. Its default is no compression (an
  empty `compress`), so the bench has to ask for it; everything else is the default (variants
  cached in memory, compress-cache 64M, level br 5 / gzip 6), so a variant is made once.
- nginx: `gzip on` with `gzip_types` for JavaScript, `gzip_comp_level` left at its default (1).
  nginx has no cache of compressed responses: it compresses on every request.
- lighttpd: mod_deflate with `deflate.cache-dir`: a variant is written to the cache directory
  once (keyed by path and ETag) and then sent from there like a static file.
- h2o 2.2: `compress: ON` (gzip and Brotli, its default levels), no cache: every request.

Used from the orchestrator's main thread; check() blocks for at most a few seconds."""
import ctypes
import ctypes.util
import glob
import os
import subprocess
import zlib

from . import httpget

POLYHTTPD_ARGS = ["--compress", "br,zstd,gzip"]

NGINX = """gzip on;
    gzip_types text/javascript application/javascript;"""

H2O = "compress: ON"


def lighttpd_lines(tmp):
    cache = os.path.join(tmp, "deflate-cache")
    os.makedirs(cache, exist_ok=True)
    return "\n".join([
        'server.modules += ( "mod_deflate" )',
        'deflate.mimetypes = ( "text/html", "text/javascript" )',
        'deflate.allowed-encodings = ( "br", "gzip", "deflate" )',
        f'deflate.cache-dir = "{cache}"',
    ])


def lighttpd_has_deflate():
    """Debian ships mod_deflate apart (lighttpd-mod-deflate); without it lighttpd refuses the
    configuration, so the compressed cell leaves lighttpd out instead."""
    return bool(glob.glob("/usr/lib/lighttpd/mod_deflate.so") +
                glob.glob("/usr/lib/*/lighttpd/mod_deflate.so"))


def binary_compresses(binary):
    """A polyhttpd from before issue 16 has no --compress (the baseline binary): it takes no
    part in the compressed cell."""
    out = subprocess.run([binary, "--help"], capture_output=True, text=True)
    return "--compress " in out.stdout or "--compress=" in out.stdout


_brotli = None


def _brotli_decode(data, size):
    """Brotli through the system's libbrotlidec (libbrotli-dev is a build dependency), one
    call with the expected size; None if the library is missing or the data is not Brotli."""
    global _brotli
    if _brotli is None:
        name = ctypes.util.find_library("brotlidec")
        _brotli = ctypes.CDLL(name) if name else False
    if not _brotli:
        return None
    out, out_len = ctypes.create_string_buffer(size + 1), ctypes.c_size_t(size + 1)
    ok = _brotli.BrotliDecoderDecompress(ctypes.c_size_t(len(data)), data,
                                         ctypes.byref(out_len), out)
    return out.raw[:out_len.value] if ok == 1 else None


def _decode(coding, data, size):
    if coding == "gzip":
        try:
            return zlib.decompress(data, 16 + zlib.MAX_WBITS)
        except zlib.error:
            return None
    if coding == "br":
        return _brotli_decode(data, size)
    if coding == "deflate":
        try:
            return zlib.decompress(data)
        except zlib.error:
            return None
    return None


def check(port, path, accept, content):
    """One GET with Accept-Encoding: accept. Returns (coding, body bytes on the wire) when the
    answer is 200 with a Content-Encoding whose body decodes to content; raises RuntimeError
    saying what came instead (identity, a body that does not decode...)."""
    status, head, body = httpget.exchange(port, path, f"Accept-Encoding: {accept}\r\n")
    fields = httpget.header_fields(head)
    coding = fields.get("content-encoding", "")
    if status != 200:
        raise RuntimeError(f"answered {status} to Accept-Encoding: {accept}")
    if not coding or coding == "identity":
        raise RuntimeError(f"sent identity ({len(body):,} bytes, no Content-Encoding) to "
                           f"Accept-Encoding: {accept}: not measured")
    decoded = _decode(coding, body, len(content))
    if decoded is None and not (coding == "br" and not _brotli):  # unverifiable: size only
        raise RuntimeError(f"sent Content-Encoding: {coding} that does not decode")
    if decoded is not None and decoded != content:
        raise RuntimeError(f"sent Content-Encoding: {coding} that decodes to other bytes")
    if len(body) >= len(content):
        raise RuntimeError(f"sent Content-Encoding: {coding} no smaller than the file")
    return coding, len(body)
