"""bench/run's options. Every matrix option has a full-run default and a --quick default;
an option given explicitly wins over both."""
import argparse

from . import servers, tls, webroot

FULL = {
    "connections": "1,16,64,256,1024", "files": ",".join(webroot.PLAIN), "close_files": "679B",
    "compress_files": ",".join(webroot.TEXT),
    "keepalive": "on,off", "duration": 10, "warmup": 2, "rounds": 3, "idle": 10000,
    "noise_retries": 2, "tls": "ecdsa,rsa", "tls_modes": ",".join(tls.MODES),
    "tls_connections": "16,256",
}
# One TLS cell in --quick: full handshakes (the client of its own, bench/tlsload.c, that no
# other cell runs), ECDSA, 16 connections.
QUICK = {
    "connections": "16,64", "files": "679B", "close_files": "679B", "compress_files": "none",
    "keepalive": "on",
    "duration": 2, "warmup": 1, "rounds": 1, "idle": 0, "noise_retries": 0,
    "tls": "ecdsa", "tls_modes": "full", "tls_connections": "16",
}
# --matrix: issue 18's matrix and nothing else, sized to run in about 40 minutes: the three
# files keep-alive and the small page with Connection: close, every connection count, the
# event models and one blocking model (prefork, the blocking model a user would deploy) against
# the floor, the yardstick, nginx, lighttpd and h2o; then the idle run for the event models and
# the references (prefork's pool holds at most 256 of 10,000 idle connections by design).
MATRIX = {
    "connections": "1,16,64,256,1024", "files": "679B,64KiB,10MiB", "close_files": "679B",
    "compress_files": "none", "keepalive": "on,off", "duration": 3, "warmup": 1, "rounds": 3,
    "idle": 10000, "noise_retries": 1, "tls": "none", "tls_modes": "keepalive",
    "tls_connections": "16",
}
MATRIX_MODELS = ("epoll-et", "coroutine", "uring", "prefork")
MATRIX_IDLE_MODELS = ("epoll-et", "coroutine", "uring")
# --quick's models: the default one, and a blocking one whose starvation the summary shows
# (c=16 and 64 keep-alive connections; loop serves one, the rest wait in the accept queue).
QUICK_MODELS = ("epoll-et", "loop")
# What the compressed cell's client offers: a browser's two common codings, gzip first.
ACCEPT_ENCODING = "gzip, br"

DESCRIPTION = """\
Compare polyhttpd's concurrency models with each other and with nginx, lighttpd, h2o and a
bare epoll yardstick, using wrk. Builds a Release binary unless --binary is given. Results go
to bench/results/<timestamp>/ (results.md, results.csv, runs.csv, idle.csv, charts/).
Full run: every model, c=1,16,64,256,1024, all files, keep-alive on and off, 3 rounds of 10 s,
10,000 idle connections, and the TLS cells: ECDSA and RSA certificates, each with keep-alive,
full handshakes and resumed handshakes, c=16,256 (long: use --plan to see the ETA first)."""


def _csv(text):
    return [x.strip() for x in text.split(",") if x.strip()]


def _cpu(text):
    return None if text in ("none", "") else int(text)


class _Parser(argparse.ArgumentParser):
    """A bad argument is one line naming it (no usage block, never a traceback), exit 2."""

    def error(self, message):
        self.exit(2, f"{self.prog}: error: {message} (see {self.prog} --help)\n")


def parser():
    p = _Parser(prog="bench/run", description=DESCRIPTION,
                formatter_class=argparse.RawDescriptionHelpFormatter)
    a = p.add_argument
    a("--quick", action="store_true",
      help="smoke run (< 2 min): epoll-et (the default) and loop (blocking) + references, "
           "c=16,64, 679B, keep-alive, 1 round of 2 s; one TLS cell (ECDSA full handshakes, c=16)")
    a("--matrix", action="store_true",
      help="issue 18's matrix only (about 40 min): 679B, 64KiB, 10MiB keep-alive and 679B close "
           "at c=1,16,64,256,1024; models epoll-et, coroutine, uring, prefork; all references; "
           "3 rounds of 3 s; the idle run (10,000) for the event models and references; no TLS, "
           "no compressed cell. Its results.md opens with the matrix at a glance")
    a("--binary", help="use this polyhttpd instead of building build-bench/ (Release)")
    a("--baseline-binary", metavar="PATH",
      help="also measure every chosen model of this polyhttpd, as MODEL@baseline, in the same "
           "cells and interleaved rounds; results.md and stdout then compare new against it")
    a("--models", help="comma-separated models, or none (default: all of `polyhttpd --list-models`)")
    a("--refs", default=",".join(servers.REFERENCES),
      help="reference servers to include when installed, or 'none' (default: %(default)s)")
    a("--connections", help=f"concurrent connections (default: {FULL['connections']})")
    a("--files", help=f"files for keep-alive cells, or none (default: {FULL['files']})")
    a("--close-files", help="files for Connection: close cells (default: 679B)")
    a("--compress-files", metavar="FILES",
      help="files of the compressed cell, each measured with and without 'Accept-Encoding: "
           f"{ACCEPT_ENCODING}' on servers that compress, or none "
           f"(default: {FULL['compress_files']}; quick: none)")
    a("--keepalive", help="on, off or on,off (default: on,off)")
    a("--duration", type=int, help="seconds per measured round (default: 10)")
    a("--warmup", type=int, help="seconds of warm-up per server per cell (default: 2)")
    a("--rounds", type=int, help="rounds per cell, interleaved across servers (default: 3)")
    a("--tls", help="certificates for the TLS cells: ecdsa, rsa, both, or none "
                    "(default: ecdsa,rsa; quick: ecdsa)")
    a("--tls-modes", help="TLS cells: keepalive (wrk, https), full (handshakes, no resumption), "
                          "resumed (handshakes with the last ticket) "
                          "(default: all three; quick: full)")
    a("--tls-connections", help="concurrent connections of the TLS cells (default: 16,256; "
                                "quick: 16)")
    a("--timeout", type=int, default=5, help="wrk's request timeout in seconds (default: 5)")
    a("--idle", type=int, help="idle connections for the idle run, 0 to skip (default: 10000)")
    a("--idle-fresh", type=int, default=100, help="fresh requests measured in the idle run")
    a("--server-cpu", type=_cpu, default=1, help="core for the server, or 'none' (default: 1)")
    a("--client-cpu", type=_cpu, default=0, help="core for wrk and this script (default: 0)")
    a("--model-args", action="append", default=[], metavar="MODEL=ARGS",
      help="extra polyhttpd flags for one model, e.g. prefork='--workers 64' for a fixed pool "
           "(default: none; prefork runs its adaptive pool)")
    a("--max-noise", type=float, default=25,
      help="repeat a round when a pinned core was busier than this %% with other work "
           "(default: %(default)s)")
    a("--noise-retries", type=int, help="repeats allowed per noisy round (default: 2; quick: 0)")
    a("--quiet-wait", type=float, default=30,
      help="seconds to wait for quiet cores before repeating a noisy round (default: 30)")
    a("--quiet-budget", type=float, default=900,
      help="total seconds a run may spend waiting for quiet cores; then noisy rounds are only "
           "flagged (default: 900)")
    a("--nice", type=int, default=0,
      help="run servers and wrk at this nice level, e.g. -10, to win the pinned cores from other "
           "work on a shared machine (default: 0; it slows that other work)")
    a("--out", help="results directory (default: bench/results/<timestamp>)")
    a("--plan", action="store_true", help="print the plan and its estimated duration, then exit")
    return p


def parse(argv=None):
    """The command line, checked and resolved; a bad value exits with one line."""
    p = parser()
    args = p.parse_args(argv)
    try:
        return resolve(args)
    except ValueError as e:
        p.error(str(e))


def _positive(name, value, zero_ok=False):
    if value < 0 or (value == 0 and not zero_ok):
        raise ValueError(f"{name} must be {'0 or more' if zero_ok else 'positive'}, got {value}")
    return value


def resolve(args):
    """Fills unset options from the quick or full defaults and splits the lists. Raises
    ValueError naming the option for a value outside its range."""
    if args.quick and args.matrix:
        raise ValueError("--quick and --matrix exclude each other")
    base = QUICK if args.quick else MATRIX if args.matrix else FULL
    for key, value in base.items():
        if getattr(args, key) is None:
            setattr(args, key, value)
    args.default_models = QUICK_MODELS if args.quick else MATRIX_MODELS if args.matrix else None
    # None: every measured server gets the idle run; else models outside it are left out of it
    args.idle_models = MATRIX_IDLE_MODELS if args.matrix else None
    try:
        args.connections = [int(c) for c in _csv(args.connections)]
    except ValueError:
        raise ValueError(f"--connections wants numbers, got {args.connections!r}") from None
    if not args.connections:
        raise ValueError("--connections is empty")
    for c in args.connections:
        _positive("--connections", c)
    for key in ("duration", "rounds", "timeout"):
        _positive("--" + key, getattr(args, key))
    for key in ("warmup", "idle", "noise_retries"):
        _positive("--" + key.replace("_", "-"), getattr(args, key), zero_ok=True)
    args.files = [] if args.files == "none" else _csv(args.files)  # e.g. the compressed cell alone
    args.close_files = _csv(args.close_files)
    args.compress_files = [] if args.compress_files == "none" else _csv(args.compress_files)
    args.accept_encoding = ACCEPT_ENCODING
    bad_text = [f for f in args.compress_files if f not in webroot.TEXT]
    if bad_text:
        raise ValueError(f"--compress-files wants some of {', '.join(webroot.TEXT)} or none, "
                         f"got {', '.join(bad_text)}")
    both = [f for f in args.compress_files if f in args.files]
    if both:  # the compressed cell measures these without Accept-Encoding already
        raise ValueError(f"--files and --compress-files both have {', '.join(both)}")
    modes = _csv(args.keepalive)
    if not modes or any(m not in ("on", "off") for m in modes):
        raise ValueError(f"--keepalive wants on, off or on,off, got {args.keepalive!r}")
    args.keepalive = [m == "on" for m in modes]
    args.refs = [] if args.refs == "none" else _csv(args.refs)
    unknown = [f for f in args.files + args.close_files if f not in webroot.FILES]
    if unknown:
        raise ValueError(f"unknown file {', '.join(unknown)}; known: {', '.join(webroot.FILES)}")
    bad_refs = [r for r in args.refs if r not in servers.REFERENCES]
    if bad_refs:
        raise ValueError(f"unknown reference {', '.join(bad_refs)}; "
                         f"known: {', '.join(servers.REFERENCES)}")
    args.model_args = _model_args(args.model_args)
    _resolve_tls(args)
    return args


def _resolve_tls(args):
    args.tls = [] if args.tls == "none" else _csv(args.tls)
    bad = [k for k in args.tls if k not in tls.CERTS]
    if bad:
        raise ValueError(f"--tls wants {', '.join(tls.CERTS)} or none, got {', '.join(bad)}")
    args.tls_modes = _csv(args.tls_modes)
    bad = [m for m in args.tls_modes if m not in tls.MODES]
    if bad or not args.tls_modes:
        raise ValueError(f"--tls-modes wants some of {', '.join(tls.MODES)}, "
                         f"got {', '.join(bad) or 'nothing'}")
    try:
        args.tls_connections = [int(c) for c in _csv(args.tls_connections)]
    except ValueError:
        raise ValueError(f"--tls-connections wants numbers, got {args.tls_connections!r}") from None
    for c in args.tls_connections:
        _positive("--tls-connections", c)


def _model_args(items):
    out = {k: list(v) for k, v in servers.DEFAULT_MODEL_ARGS.items()}
    for item in items:
        model, sep, rest = item.partition("=")
        if not sep:
            raise ValueError(f"--model-args wants MODEL=ARGS, got {item!r}")
        out[model] = rest.split()
    return out
