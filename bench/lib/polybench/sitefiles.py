"""The compressed cell's files: a 100 KiB HTML page and a 100 KiB JavaScript file that compress
the way a site's real ones do (gzip to roughly a fifth or a quarter), not one byte repeated
(which any encoder shrinks a thousandfold and so measures nothing).

Words, names and numbers are drawn from a SHA-256 counter stream, so the bytes are the same on
every run and machine; the structure (a blog index of articles, a module of small functions)
repeats as markup and code do. Pure functions, called by webroot.ensure()."""
import hashlib

_WORDS = ("static", "server", "request", "header", "cache", "variant", "compress", "stream",
          "socket", "reactor", "thread", "worker", "listen", "accept", "buffer", "range",
          "encoding", "gzip", "brotli", "latency", "throughput", "kernel", "epoll", "queue",
          "timer", "deadline", "config", "table", "site", "redirect", "fallback", "index",
          "listing", "origin", "token", "session", "ticket", "handshake", "record", "frame",
          "page", "asset", "image", "font", "script", "style", "layout", "render", "event",
          "signal", "process", "child", "pool", "memory", "page-cache", "inode", "mtime",
          "etag", "vary", "status", "error", "client", "browser", "proxy", "upstream")


class _Draw:
    """Deterministic choices: each call consumes two bytes of the stream."""

    def __init__(self, label):
        self.label, self.counter, self.pool = label, 0, b""

    def _u16(self):
        if len(self.pool) < 2:
            self.pool += hashlib.sha256(f"{self.label}:{self.counter}".encode()).digest()
            self.counter += 1
        value, self.pool = int.from_bytes(self.pool[:2], "big"), self.pool[2:]
        return value

    def num(self, n):
        return self._u16() % n

    def word(self):
        return _WORDS[self.num(len(_WORDS))]

    def words(self, lo, hi):
        return " ".join(self.word() for _ in range(lo + self.num(hi - lo + 1)))

    def camel(self):
        first, second = self.word().replace("-", ""), self.word().replace("-", "")
        return first + second.capitalize()


def _article(d, i):
    slug = d.words(2, 4).replace(" ", "-")
    tags = "".join(f'<li><a href="/tags/{t}" class="tag">{t}</a></li>'
                   for t in (d.word() for _ in range(1 + d.num(4))))
    paras = "".join(f"<p>{d.words(12, 40).capitalize()}.</p>\n" for _ in range(1 + d.num(3)))
    return (f'<article class="post" id="post-{i}">\n'
            f'<h2 class="post-title"><a href="/blog/20{20 + d.num(6)}/{slug}/">'
            f"{d.words(3, 7).title()}</a></h2>\n"
            f'<p class="meta">Posted on <time datetime="2025-{1 + d.num(12):02d}-'
            f'{1 + d.num(28):02d}">{1 + d.num(28)} {d.word()}</time> by '
            f'<a href="/authors/{d.word()}">{d.word().title()}</a></p>\n'
            f'{paras}<ul class="tags">{tags}</ul>\n</article>\n')


def _function(d):
    name, arg, field = d.camel(), d.word().replace("-", ""), d.camel()
    return (f"export function {name}({arg}, options = {{}}) {{\n"
            f"  const {field} = {arg}.{d.camel()} ?? options.{d.camel()};\n"
            f"  if ({field} === undefined || {field}.length > {16 + d.num(4000)}) {{\n"
            f"    throw new Error(\"{name}: {d.words(3, 8)}\");\n  }}\n"
            f"  for (const item of {field}) {{\n"
            f"    if (item.{d.camel()} && item.status !== {200 + d.num(300)}) {{\n"
            f"      emit(\"{d.word()}\", {{ {d.camel()}: item.{d.camel()}, at: Date.now() }});\n"
            f"    }}\n  }}\n"
            f"  return {{ {field}, {d.camel()}: options.{d.camel()} || {d.num(100)} }};\n}}\n\n")


def _fill(chunks, head, tail, size, pad_open, pad_close):
    """head + as many whole chunks as fit + tail, padded to exactly size with a comment."""
    out = head
    for chunk in chunks:
        if len(out) + len(chunk) + len(tail) + len(pad_open) + len(pad_close) > size:
            break
        out += chunk
    gap = size - len(out) - len(tail) - len(pad_open) - len(pad_close)
    return (out + pad_open + ("-" * gap if pad_open == "/*" else "." * gap) + pad_close
            + tail).encode()


def html_page(label, size):
    d = _Draw(label)
    head = ('<!doctype html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            "<title>polyhttpd bench: a blog index</title>\n"
            '<link rel="stylesheet" href="/assets/site.css">\n</head>\n<body>\n'
            '<header class="site-header"><nav><a href="/">Home</a> <a href="/blog/">Blog</a> '
            '<a href="/about/">About</a></nav></header>\n<main class="posts">\n')
    tail = "</main>\n<footer>polyhttpd bench</footer>\n</body>\n</html>\n"
    chunks = (_article(d, i) for i in range(100000))
    body = _fill(chunks, head, tail, size, "<!--", "-->\n")
    assert len(body) == size, len(body)
    return body


def js_module(label, size):
    d = _Draw(label)
    head = ("// polyhttpd bench: a module of small functions, as a bundler leaves them\n"
            "'use strict';\nconst emit = (name, data) => window.dispatchEvent("
            "new CustomEvent(name, { detail: data }));\n\n")
    chunks = (_function(d) for _ in range(100000))
    body = _fill(chunks, head, "", size, "/*", "*/\n")
    assert len(body) == size, len(body)
    return body
