"""CPU time and memory of a server's whole process tree, read from /proc.

A server is its launched process and every descendant (nginx workers, fork's children, prefork's
pool). CPU is utime+stime of every live process (which covers all of its threads, dead ones
included) plus cutime+cstime (children the process has already reaped). The total is monotonic
as long as the tree reaps its own children, so 'after - before' is the CPU the tree spent in
between, short-lived fork children included. Hazard: a child auto-reaped because SIGCHLD is
ignored never reaches cutime; its CPU is lost unless a sample caught it alive.

Memory is the sum of VmRSS over the tree, sampled on a thread (Sampler); shared pages are
counted once per process, so for multi-process servers PSS (pss_kib) is the honest figure.
"""
import os
import threading
import time

TICK = os.sysconf("SC_CLK_TCK")


def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:  # the process ended between listing and reading
        return None


def _stat_fields(pid):
    text = _read(f"/proc/{pid}/stat")
    if text is None:
        return None
    # comm may contain spaces and parentheses: split after the last ')'
    return text[text.rfind(")") + 2:].split()


def tree_pids(root):
    """root and all of its descendants, found by one scan of /proc."""
    children = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        f = _stat_fields(name)
        if f is not None:
            children.setdefault(int(f[1]), []).append(int(name))
    pids, todo = [], [root]
    while todo:
        pid = todo.pop()
        pids.append(pid)
        todo.extend(children.get(pid, ()))
    return pids


def cpu_seconds(root):
    """CPU of the tree in seconds: per live process utime+stime, or for a single-threaded one
    the larger of that and its run time (schedstat), plus cutime+cstime (children it reaped).

    Why both: on this machine a process that runs in many short bursts (a prefork worker among
    256, each serving a request and sleeping) is charged far too little in utime+stime while it
    lives: about 200 workers after 3 s of wrk -c200 read 1.18 s there against 2.64 s of
    schedstat run time, and the rest appeared in the master's cutime only as the workers
    exited, after the round. schedstat is the scheduler's nanosecond count, but it forgets
    exited threads, which utime+stime keeps (so a thread-per-connection process keeps
    utime+stime alone); for one thread each is a lower bound, so the larger is the better one,
    and both only grow."""
    total = 0.0
    for pid in tree_pids(root):
        f = _stat_fields(pid)
        if f is not None:  # fields 14..17 of stat; f[0] is field 3
            own = (int(f[11]) + int(f[12])) / TICK
            if int(f[17]) == 1:  # num_threads: a thread that exits leaves schedstat's sum
                own = max(own, run_seconds(pid))
            total += own + (int(f[13]) + int(f[14])) / TICK
    return total


def _schedstat_seconds(pid, field):
    """A schedstat field (0: time on a CPU, 1: time runnable but waiting for one) summed over
    the process's live threads, in seconds."""
    total = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0.0
    for tid in tids:
        text = _read(f"/proc/{pid}/task/{tid}/schedstat")
        if text:
            total += int(text.split()[field])
    return total / 1e9


def run_seconds(pid):
    """Time the process's live threads spent on a CPU."""
    return _schedstat_seconds(pid, 0)


def run_delay_seconds(pid):
    """Time the process's threads spent runnable but waiting for a CPU."""
    return _schedstat_seconds(pid, 1)


def tree_run_delay_seconds(root):
    return sum(run_delay_seconds(pid) for pid in tree_pids(root))


class DelayWatch:
    """Follows one short-lived process's run-queue delay (sampled every 100 ms on a thread; the
    last sample before it exits is kept, since an exited process's schedstat is gone)."""

    def __init__(self, pid, period=0.1):
        self.pid, self.period, self.seconds = pid, period, 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _loop(self):
        while True:
            self.seconds = max(self.seconds, run_delay_seconds(self.pid))
            if self._stop.wait(self.period):
                return

    def stop(self):
        self._stop.set()
        self._thread.join()
        return self.seconds


def status_number(pid, key):
    """The first number of a /proc/PID/status line ('VmRSS:', 'Threads:'); 0 if gone."""
    text = _read(f"/proc/{pid}/status")
    if text is None:
        return 0
    for line in text.splitlines():
        if line.startswith(key):
            return int(line.split()[1])
    return 0


def rss_kib(root):
    return sum(status_number(pid, "VmRSS:") for pid in tree_pids(root))


def pss_kib(root):
    """Proportional set size of the tree: shared pages divided among their sharers."""
    total = 0
    for pid in tree_pids(root):
        text = _read(f"/proc/{pid}/smaps_rollup") or ""
        for line in text.splitlines():
            if line.startswith("Pss:"):
                total += int(line.split()[1])
    return total


def socket_count(root):
    """Open socket descriptors across the tree (the listener included)."""
    n = 0
    for pid in tree_pids(root):
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                if os.readlink(f"/proc/{pid}/fd/{fd}").startswith("socket:"):
                    n += 1
            except OSError:
                pass
    return n


def process_count(root):
    return len(tree_pids(root))


class Sampler:
    """Samples, every `period` seconds on a thread, the tree's summed VmRSS (.peak_kib) and the
    listener's accept queue (.backlog: the samples); once, `pss_at` seconds in, the tree's PSS
    (.pss_kib: costly for a big tree, so a single snapshot)."""

    def __init__(self, root, backlog_of=None, period=0.2, pss_at=None):
        self.root, self.period, self.backlog_of = root, period, backlog_of
        self.pss_at, self.pss_kib = pss_at, None
        self.peak_kib = 0
        self.backlog = []
        self._start = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _sample(self):
        self.peak_kib = max(self.peak_kib, rss_kib(self.root))
        if self.backlog_of is not None:
            self.backlog.append(self.backlog_of())
        if (self.pss_at is not None and self.pss_kib is None
                and time.monotonic() - self._start >= self.pss_at):
            self.pss_kib = pss_kib(self.root)

    def _loop(self):
        while not self._stop.wait(self.period):
            self._sample()

    def __enter__(self):
        self._start = time.monotonic()
        self._sample()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak_kib = max(self.peak_kib, rss_kib(self.root))


def wait_quiet(root, settle=0.3, limit=5.0):
    """Waits until the tree stops using CPU (no tick for `settle` s), at most `limit` s, so
    one server's leftover work (closing a thousand sockets) never lands in the next run."""
    deadline = time.monotonic() + limit
    last = cpu_seconds(root)
    while time.monotonic() < deadline:
        time.sleep(settle)
        now = cpu_seconds(root)
        if now == last:
            return
        last = now
