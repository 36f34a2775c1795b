"""One client run: the command line, and the numbers parsed from the line wrk/report.lua prints.

wrk gets one thread (-t1) because it gets one core; it is pinned with taskset. Latency
percentiles are wrk's: measured from each request's send, so they understate queueing at
saturation (coordinated omission) the same way for every server.

TLS cells: keep-alive ones are wrk on https://, its TLS pinned through OPENSSL_CONF (tls.py);
handshake cells are bench/tlsload.c (wrk resumes every session after a connection's first, so
it cannot do full handshakes), which prints the same line plus resumed= and mismatch=. Its
latency runs from connect() to the response's end, handshake included."""
import os
import resource
import subprocess

from . import proctree, servers, system

LUA = os.path.join(servers.BENCH_DIR, "wrk", "report.lua")
TLSLOAD = None  # the compiled bench/tlsload.c, set by bench/run when it plans TLS cells


def command(port, path, cell, seconds, timeout, cpu):
    """cell: a runner.Cell (connections, keep-alive, TLS kind and resumption)."""
    if cell.tls and not cell.keepalive:
        cmd = [TLSLOAD, f"-c{cell.conns}", f"-d{seconds}", f"-t{timeout}"]
        return system.taskset(cpu, cmd + (["-r"] if cell.resume else []) + [str(port), path])
    cmd = ["wrk", "-t1", f"-c{cell.conns}", f"-d{seconds}s", f"--timeout={timeout}s", "-s", LUA]
    if not cell.keepalive:
        cmd += ["-H", "Connection: close"]
    if cell.encoding:
        cmd += ["-H", f"Accept-Encoding: {cell.encoding}"]
    scheme = "https" if cell.tls else "http"
    return system.taskset(cpu, cmd + [f"{scheme}://127.0.0.1:{port}{path}"])


def parse(output):
    """The POLYBENCH line as a dict of numbers, or None if wrk printed none."""
    for line in output.splitlines():
        if line.startswith("POLYBENCH "):
            pairs = (kv.split("=", 1) for kv in line.split()[1:])
            return {k: float(v) for k, v in pairs}
    return None


def _children_cpu():
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


def run(srv, path, cell, seconds, timeout, cpu):
    """Runs the client against srv (a servers.Running) to completion; returns (metrics or None,
    raw output, the client's CPU seconds, its run-queue delay in seconds: how long it was ready
    to run but another task had its core). Its CPU is the growth of RUSAGE_CHILDREN across its
    run: the orchestrator reaps no other child meanwhile (servers are reaped only when
    stopped), and taskset execs the client in place."""
    cmd = command(srv.port, path, cell, seconds, timeout, cpu)
    env = srv.tls.client_env() if srv.tls else None
    cpu0 = _children_cpu()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                         env=env)
    watch = proctree.DelayWatch(p.pid)
    try:
        out, _ = p.communicate(timeout=seconds + timeout + 30)
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        out = "wrk did not finish\n" + out
    delay = watch.stop()
    raw = parse(out)
    return (metrics(raw) if raw else None), out, _children_cpu() - cpu0, delay


def metrics(raw):
    seconds = raw["duration_us"] / 1e6
    return {
        "requests": int(raw["requests"]),
        "seconds": seconds,
        "rps": raw["requests"] / seconds if seconds else 0.0,
        "mbps": raw["bytes"] / seconds / 1e6 if seconds else 0.0,
        "p50_ms": raw["p50_us"] / 1000,
        "p90_ms": raw["p90_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "err_connect": int(raw["connect"]),
        "err_read": int(raw["read"]),
        "err_write": int(raw["write"]),
        "err_timeout": int(raw["timeout"]),
        "non2xx": int(raw["status"]),
    } | _handshakes(raw)


def _handshakes(raw):
    """tlsload's extra counts: the share of handshakes the server resumed, and how many
    negotiated anything but the pinned protocol, suite and ALPN (must be 0)."""
    if "resumed" not in raw:
        return {}
    done = raw["requests"]
    return {"resumed_pct": raw["resumed"] / done * 100 if done else None,
            "mismatch": int(raw["mismatch"])}
