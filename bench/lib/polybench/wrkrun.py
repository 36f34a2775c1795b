"""One wrk run: the command line, and the numbers parsed from the line wrk/report.lua prints.

wrk gets one thread (-t1) because it gets one core; it is pinned with taskset. Latency
percentiles are wrk's: measured from each request's send, so they understate queueing at
saturation (coordinated omission) the same way for every server."""
import os
import resource
import subprocess

from . import proctree, servers, system

LUA = os.path.join(servers.BENCH_DIR, "wrk", "report.lua")


def command(port, path, conns, seconds, keepalive, timeout, cpu):
    cmd = ["wrk", "-t1", f"-c{conns}", f"-d{seconds}s", f"--timeout={timeout}s", "-s", LUA]
    if not keepalive:
        cmd += ["-H", "Connection: close"]
    return system.taskset(cpu, cmd + [f"http://127.0.0.1:{port}{path}"])


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


def run(port, path, conns, seconds, keepalive, timeout, cpu):
    """Runs wrk to completion; returns (metrics or None, raw output, wrk's CPU seconds, wrk's
    run-queue delay in seconds: how long it was ready to run but another task had its core).
    wrk's CPU is the growth of RUSAGE_CHILDREN across its run: the orchestrator reaps no other
    child meanwhile (servers are reaped only when stopped), and taskset execs wrk in place."""
    cmd = command(port, path, conns, seconds, keepalive, timeout, cpu)
    cpu0 = _children_cpu()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
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
    }
