"""prefork's pool size over a measured round, read from its scoreboard on the metrics page.

A prefork server in the bench runs with `--status-path STATUS_PATH`; while wrk measures it, a
PoolSampler thread (in the orchestrator, so on the client core) GETs that page every 0.5 s on a
fresh connection and sums `polyhttpd_workers{state="..."}` (every state is a worker: free
slots are not exported) into the pool size, keeping `state="idle"` apart. Beside it, the
number of processes in the server's tree less the master: the same pool seen from /proc.

The page is served by a worker like any request, so the GET is not sent while the tree
already has the pool's maximum of workers, nor while clients wait in the accept queue: it would
wait there for a worker (and be dropped after TIMEOUT, still queued), and at the maximum make
the saturation rule close a wrk connection to serve it (measured: 5 wrk read errors in 3 s at
c=256 when it was sent regardless), which would be the sampler's doing, not the model's. Such a
sample, and one the page did not answer within TIMEOUT, counts the processes instead.

Cost: one small request every 0.5 s against the tens of thousands per second wrk makes, plus
rendering the scoreboard (one line per worker) in one worker; the README gives the measured
figure. The GET's CPU is the server's, counted in the round like any request; its client side
is this script's, accounted on the client core (measure.py).

Called from measure.run on the orchestrator's main thread; the sampling runs on its own
thread and never blocks the round (each GET gives up after TIMEOUT)."""
import os
import re
import statistics
import threading
import time

from . import httpget, proctree

STATUS_PATH = "/polybench-metrics"  # no file of the web root has this name
PERIOD = 0.5
TIMEOUT = 0.4  # a GET still unanswered then is dropped: the next sample is due
POOLED = ("prefork",)  # models whose pool the bench samples
DEFAULT_MAX_WORKERS = 256  # prefork's --max-workers default (README.md of the project)


def max_workers(args):
    """The pool's maximum from a model's extra flags: --workers N (a fixed pool; auto is one
    per core), else --max-workers N, else the default."""
    for flag in ("--workers", "--max-workers"):
        if flag in args[:-1]:
            value = args[args.index(flag) + 1]
            return os.cpu_count() or 1 if value == "auto" else int(value)
    return DEFAULT_MAX_WORKERS

_GAUGE = re.compile(rb'^polyhttpd_workers\{state="([a-z]+)"\} (\d+)$', re.M)


def scoreboard(body):
    """{state: workers} from a metrics page; {} when it has no scoreboard (not prefork, or a
    binary from before the adaptive pool)."""
    return {state.decode(): int(n) for state, n in _GAUGE.findall(body)}


class PoolSampler:
    """Samples (seconds since start, workers or None, idle or None, processes less the master)
    every PERIOD on a thread, as a context manager around one wrk run. workers and idle are
    None when the page was not asked (the pool at `limit`) or did not answer."""

    def __init__(self, port, root, limit, backlog_of, period=PERIOD):
        """limit: the pool's maximum (max_workers); backlog_of(): the listener's accept queue."""
        self.port, self.root, self.limit, self.period = port, root, limit, period
        self.backlog_of = backlog_of
        self.samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._start = time.monotonic()

    def _sample(self):
        t = time.monotonic() - self._start
        procs = max(0, proctree.process_count(self.root) - 1)
        board = {}
        if procs < self.limit and self.backlog_of() == 0:
            status, _, body = httpget.exchange(self.port, STATUS_PATH, timeout=TIMEOUT)
            board = scoreboard(body) if status == 200 else {}
        workers = sum(board.values()) if board else None
        self.samples.append((t, workers, board.get("idle") if board else None, procs))

    def _loop(self):
        while True:
            t0 = time.monotonic()
            self._sample()
            if self._stop.wait(max(0.0, self.period - (time.monotonic() - t0))):
                return

    def __enter__(self):
        self._start = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def metrics(self):
        """The round's pool figures for its row: min / median / max of the pool (the workers on
        the scoreboard, or the processes where the page was not asked or did not answer), the
        idle workers' median, the processes' min / max, and how many samples the page answered."""
        workers = [s[1] if s[1] is not None else s[3] for s in self.samples]
        idle = [s[2] for s in self.samples if s[2] is not None]
        procs = [s[3] for s in self.samples]
        return {
            "pool_min": min(workers) if workers else None,
            "pool_median": statistics.median(workers) if workers else None,
            "pool_max": max(workers) if workers else None,
            "pool_idle_median": statistics.median(idle) if idle else None,
            "pool_procs_min": min(procs) if procs else None,
            "pool_procs_max": max(procs) if procs else None,
            "pool_answered": sum(1 for s in self.samples if s[1] is not None),
            "pool_samples": len(self.samples),
        }


def summarize(rows):
    """A cell's pool figures from its rounds: the lowest minimum, the median of the medians,
    the highest maximum (so the cell's range covers every round), samples summed."""
    good = [r for r in rows if r.get("pool_samples")]
    if not good:
        return {}

    def pick(key, how):
        values = [r[key] for r in good if r.get(key) is not None]
        return how(values) if values else None

    return {
        "pool_min": pick("pool_min", min), "pool_median": pick("pool_median", statistics.median),
        "pool_max": pick("pool_max", max),
        "pool_idle_median": pick("pool_idle_median", statistics.median),
        "pool_procs_min": pick("pool_procs_min", min),
        "pool_procs_max": pick("pool_procs_max", max),
        "pool_answered": sum(r["pool_answered"] for r in good),
        "pool_samples": sum(r["pool_samples"] for r in good),
    }


def write_series(path, samples):
    """One round's samples as CSV (t_s, workers, idle, processes), for charts and readers."""
    with open(path, "w") as f:
        f.write("t_s,workers,idle,processes\n")
        for t, workers, idle, procs in samples:
            f.write(f"{t:.2f},{'' if workers is None else workers},"
                    f"{'' if idle is None else idle},{procs}\n")
