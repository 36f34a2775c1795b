"""From rounds to cells: medians with their spread (min-max), and the CSV files.

results.csv has one row per cell (server x file x connections x keep-alive) with every metric;
runs.csv keeps every round as measured, for anyone who wants to redo the statistics."""
import csv
import statistics

from . import pool, tls

# tls: '' or the certificate ('ECDSA P-256'); handshakes: '', 'full' or 'resumed'
# accept_encoding: '' or what the compressed cell's client offers ('gzip, br')
KEY = ("server", "file", "connections", "keepalive", "tls", "handshakes", "accept_encoding")
# metrics reported as median plus min and max
SPREAD = ("rps", "req_per_cpu_s", "p99_ms")
# metrics reported as the median only
MEDIAN = ("mbps", "p50_ms", "p90_ms", "cpu_s_per_1k", "peak_rss_mib", "mid_pss_mib", "errors",
          "non2xx",
          "err_connect", "err_read", "err_write", "err_timeout", "backlog_median", "backlog_max",
          "wrk_cpu_pct", "server_core_other_pct", "client_core_other_pct",
          "server_core_softirq_pct", "wrk_rq_delay_pct", "server_rq_delay_pct", "noise_retries",
          "resumed_pct", "mismatch")
STAMP = ("date", "machine", "cores", "kernel", "commit", "polyhttpd_version", "server_version",
         "wrk_version")


def mode(cell):
    """A cell's mode in words (a summarize() or runs.csv row): see tls.mode_words."""
    return tls.mode_words(cell["keepalive"] == "on", cell.get("tls", ""),
                          cell.get("handshakes", ""), cell.get("accept_encoding", ""))


def _median(rows, key):
    values = [r[key] for r in rows if r.get(key) is not None]
    return statistics.median(values) if values else None


def summarize(runs):
    """One dict per cell, in the order the cells first appear."""
    groups = {}
    for r in runs:
        groups.setdefault(tuple(r[k] for k in KEY), []).append(r)
    cells = []
    for rows in groups.values():
        good = [r for r in rows if not r.get("error")]
        first = rows[0]
        cell = {k: first.get(k, "") for k in ("server", "kind", "server_args", "file",
                                               "file_bytes", "connections", "keepalive", "tls",
                                               "handshakes", "accept_encoding",
                                               "content_encoding", "body_bytes")}
        cell["rounds"] = len(good)
        cell["error"] = "; ".join(sorted({r["error"] for r in rows if r.get("error")}))
        for key in SPREAD:
            values = [r[key] for r in good if r.get(key) is not None]
            cell[key] = statistics.median(values) if values else None
            cell[key + "_min"] = min(values) if values else None
            cell[key + "_max"] = max(values) if values else None
        for key in MEDIAN:
            cell[key] = _median(good, key)
        cell |= pool.summarize(good)  # prefork: the pool's range over every round
        cells.append(cell)
    return cells


def spread_pct(cell, key="rps"):
    """(max - min) / median, in percent: how far apart the rounds were."""
    med, lo, hi = cell.get(key), cell.get(key + "_min"), cell.get(key + "_max")
    if not med or lo is None:
        return None
    return (hi - lo) / med * 100


def _version_key(server, kind):
    """A model row's version is polyhttpd's, or polyhttpd@baseline's for MODEL@baseline."""
    if kind != "model":
        return server
    return "polyhttpd" + server[server.index("@"):] if "@" in server else "polyhttpd"


def stamp_columns(stamp, server, kind):
    v = stamp["versions"]
    return {
        "date": stamp["date"], "machine": stamp["machine"], "cores": stamp["cores"],
        "kernel": stamp["kernel"], "commit": stamp["commit"],
        "polyhttpd_version": v.get("polyhttpd", ""),
        "server_version": v.get(_version_key(server, kind), ""),
        "wrk_version": v.get("wrk", ""),
    }


def _fmt(value):
    if isinstance(value, float):
        return f"{value:.6g}"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return "" if value is None else value


def write_csv(path, rows, stamp):
    """Every row stamped with where and when it was measured."""
    if not rows:
        return
    fields = list(STAMP)
    for r in rows:
        fields += [k for k in r if k not in fields]
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            full = stamp_columns(stamp, r["server"], r["kind"]) | r
            w.writerow({k: _fmt(v) for k, v in full.items()})
