"""bench/soak's measurements and verdicts: what a server's process tree holds (descriptors,
threads, processes, RSS), sampled on a thread while wrk runs, and the checks of one model's
soak. Samples come from /proc through proctree; a sample is a dict."""
import os
import threading
import time

from . import proctree

# Allocator noise: glibc keeps freed memory in its arenas (one per thread, up to 8 per core),
# so RSS wanders a little under steady load even when nothing leaks. Growth beyond this many
# KiB plus this fraction of the early sample counts as a leak.
RSS_SLACK_KIB = 8 * 1024
RSS_SLACK_FRACTION = 0.10


def _fd_targets(pid):
    """What each descriptor of a process names (readlink of /proc/PID/fd/N)."""
    targets = []
    try:
        names = os.listdir(f"/proc/{pid}/fd")
    except OSError:
        return targets
    for name in names:
        try:
            targets.append(os.readlink(f"/proc/{pid}/fd/{name}"))
        except OSError:
            pass  # closed meanwhile
    return targets


def _split_fds(pid, web_root):
    """(descriptors that are not files of the web root, the most descriptors any one file of
    the web root has in this process). The file cache keeps a large file open between requests
    (--file-cache-valid), one descriptor per file and process, and which prefork worker has
    served which file depends on the load's phase: those are counted apart, as a bound."""
    targets = _fd_targets(pid)
    prefix = os.path.join(web_root, "") if web_root else None
    mine = [t for t in targets if prefix and t.startswith(prefix)]
    most = max((mine.count(t) for t in set(mine)), default=0)
    return len(targets) - len(mine), most


def _rss_kib(pid):
    return proctree.status_number(pid, "VmRSS:")


def sample(root, web_root=None):
    """Memory is the server process's RSS and the largest child's, not the tree's sum: how many
    children fork runs at an instant depends on the load's phase, not on a leak, while a leak
    in the master or in a long-lived worker shows in one process. Descriptors: see _split_fds
    (with no web_root, every descriptor counts in "fds")."""
    pids = proctree.tree_pids(root)
    fds = [_split_fds(p, web_root) for p in pids]
    return {
        "t": time.monotonic(),
        "fds": sum(n for n, _ in fds),
        "file_fds_max": max((most for _, most in fds), default=0),
        "threads": sum(proctree.status_number(p, "Threads:") for p in pids),
        "procs": len(pids),
        "rss_kib": _rss_kib(root),
        "child_rss_kib": max((_rss_kib(p) for p in pids if p != root), default=0),
    }


class Sampler:
    """Samples the tree every `period` seconds on a thread until stopped; .samples in order."""

    def __init__(self, root, period):
        self.root, self.period, self.samples = root, period, []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.wait(self.period):
            self.samples.append(sample(self.root))

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()


def early_and_end(samples, start, skip):
    """The first sample at least `skip` seconds after `start` and the last one (under load)."""
    early = next((s for s in samples if s["t"] - start >= skip), None)
    return early, (samples[-1] if samples else None)


def rss_limit(early_kib):
    return early_kib * (1 + RSS_SLACK_FRACTION) + RSS_SLACK_KIB


def verdict(wrk, idle_before, idle_after, early, end, exit_ok):
    """The list of failures of one model's soak (empty: passed)."""
    fails = []
    if wrk is None:
        return ["wrk printed no summary"]
    if wrk["requests"] == 0:
        fails.append("no request completed")
    errors = {k: wrk[k] for k in ("err_connect", "err_read", "err_write", "err_timeout", "non2xx")}
    fails += [f"{k[4:] if k.startswith('err_') else k} errors: {v}" for k, v in errors.items() if v]
    # Idle before and after the soak: every connection closed, so exactly the same holdings.
    for key in ("fds", "threads", "procs"):
        if idle_after[key] > idle_before[key]:
            fails.append(f"{key} grew while idle: {idle_before[key]} -> {idle_after[key]}")
    # Idle, only the file cache holds files of the web root: one descriptor per file at most.
    if idle_after["file_fds_max"] > 1:
        fails.append(f"a file of the web root is open {idle_after['file_fds_max']} times in one "
                     "process while idle (the file cache keeps one)")
    if early is None or end is None:
        fails.append("too short to take an early and an end sample")
    else:
        for key, what in (("rss_kib", "RSS"), ("child_rss_kib", "largest child's RSS")):
            if end[key] > rss_limit(early[key]):
                fails.append(f"{what} grew under load: {early[key]} -> {end[key]} KiB")
    if not exit_ok:
        fails.append("did not exit with status 0 on SIGTERM")
    return fails
