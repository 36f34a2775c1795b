"""The idle-connections run for one server: a fresh server, baseline memory and fresh-request
latency, N idle keep-alive connections, then memory and fresh-request latency again.

Memory per connection uses PSS (shared pages split among the processes that share them), so
a fork or prefork tree is not charged once per child for the same library pages; summed VmRSS
is reported beside it."""
import time

from . import idle, proctree, runner, webroot


def percentile(values, q):
    if not values:
        return None
    s = sorted(values)
    return s[min(len(s) - 1, max(0, round(q / 100 * len(s) + 0.5) - 1))]


def _fresh(port, count):
    times, failures = idle.fresh_requests(port, count)
    return {"p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99),
            "ok": len(times), "failures": failures}


def _memory(pid):
    return {"rss_kib": proctree.rss_kib(pid), "pss_kib": proctree.pss_kib(pid),
            "sockets": proctree.socket_count(pid), "processes": proctree.process_count(pid)}


def run(spec, opts, n):
    """Returns one result dict for the idle table."""
    srv = runner.start(spec, opts, "idle")
    try:
        srv.wait_ready("/index.html", webroot.size_of("679B"))
    except RuntimeError as e:
        return {"server": spec.name, "kind": spec.kind, "idle": n, "error": str(e)}
    try:
        return _measure(srv, spec, opts, n)
    finally:
        srv.stop()


def _measure(srv, spec, opts, n):
    before_fresh = _fresh(srv.port, opts.idle_fresh)
    before = _memory(srv.pid)
    client = idle.IdleClient(srv.port, n)
    t0 = time.monotonic()
    try:
        client.open(deadline_s=max(10.0, n / 1000 + 5))
        open_s = time.monotonic() - t0
        time.sleep(1.0)  # let the server finish accepting and settle its memory
        after = _memory(srv.pid)
        under_load = _fresh(srv.port, opts.idle_fresh)
        held = client.still_open()
        outcomes = dict(client.outcomes)
    finally:
        client.close()
    return _result(spec, n, open_s, held, outcomes, before, after, before_fresh, under_load)


def _result(spec, n, open_s, held, outcomes, before, after, fresh0, fresh1):
    # with a handful held (loop, a small pool) the difference is page noise, not a per-connection cost
    per = (lambda key: (after[key] - before[key]) / held if held >= 10 else None)
    return {
        "server": spec.name, "kind": spec.kind, "server_args": " ".join(spec.args), "idle": n,
        "held": held, "outcomes": outcomes, "open_s": open_s,
        "rss_before_kib": before["rss_kib"], "rss_after_kib": after["rss_kib"],
        "pss_before_kib": before["pss_kib"], "pss_after_kib": after["pss_kib"],
        "pss_per_conn_kib": per("pss_kib"), "rss_per_conn_kib": per("rss_kib"),
        "server_sockets": after["sockets"], "server_processes": after["processes"],
        "fresh_p50_ms_before": fresh0["p50_ms"], "fresh_p99_ms_before": fresh0["p99_ms"],
        "fresh_p50_ms": fresh1["p50_ms"], "fresh_p99_ms": fresh1["p99_ms"],
        "fresh_ok": fresh1["ok"], "fresh_failures": fresh1["failures"],
    }


def describe(r):
    """One human sentence about what the server did with the idle connections."""
    if r.get("error"):
        return r["error"]
    parts = [f"held {r['held']:,} of {r['idle']:,}"]
    for outcome, count in sorted(r["outcomes"].items(), key=lambda kv: -kv[1]):
        if outcome != "held":
            parts.append(f"{count:,} {outcome}")
    if r["fresh_failures"]:
        fails = ", ".join(f"{v} {k}" for k, v in r["fresh_failures"].items())
        parts.append(f"fresh requests under load: {r['fresh_ok']} ok, {fails}")
    return "; ".join(parts)

