"""The machine under the benchmark: its stamp (CPU, kernel, versions, commit), CPU pinning,
descriptor limits, free ports and the per-core busy counters used to detect noise.

Called from the orchestrator's main thread; everything here is quick and blocking."""
import datetime
import fcntl
import os
import re
import resource
import shutil
import socket
import subprocess
import time


def run_text(cmd, cwd=None):
    """Output (stdout then stderr) of a command, or '' if it cannot run."""
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=20)
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return (p.stdout + p.stderr).strip()


def cpu_model():
    for line in run_text(["lscpu"]).splitlines():
        if line.startswith("Model name:"):
            return line.split(":", 1)[1].strip()
    return "unknown"


def hypervisor():
    for line in run_text(["lscpu"]).splitlines():
        if line.startswith("Hypervisor vendor:"):
            return line.split(":", 1)[1].strip()
    return "none"


def git_commit(top):
    commit = run_text(["git", "rev-parse", "--short=12", "HEAD"], cwd=top) or "unknown"
    dirty = run_text(["git", "status", "--porcelain", "--untracked-files=no"], cwd=top)
    return commit + ("-dirty" if dirty else "")


def first_line(text):
    return text.splitlines()[0].strip() if text else "not installed"


def tool_versions(binary):
    """Version strings of everything that can appear in a result, 'not installed' if absent."""
    probes = {
        "polyhttpd": [binary, "--version"],
        "wrk": ["wrk", "-v"],
        "nginx": ["nginx", "-v"],
        "lighttpd": ["lighttpd", "-v"],
        "h2o": ["h2o", "--version"],
        "gnuplot": ["gnuplot", "--version"],
    }
    out = {}
    for name, cmd in probes.items():
        if shutil.which(cmd[0]) is None and not os.path.exists(cmd[0]):
            out[name] = "not installed"
            continue
        text = run_text(cmd)
        if name == "wrk":  # "wrk debian/4.1.0-3+b2 [epoll] Copyright ..."
            text = re.sub(r"\s+Copyright.*", "", first_line(text))
        out[name] = first_line(text)
    return out


def binary_version(path):
    """What a compared binary is: its --version, its path, the commit of the tree it sits in
    (the tree's HEAD, which is what it was built from when built in place) and its build time."""
    built = datetime.datetime.fromtimestamp(os.path.getmtime(path)).astimezone()
    return (f"{first_line(run_text([path, '--version']))} ({path}; tree "
            f"{git_commit(os.path.dirname(path))}; built {built.isoformat(timespec='minutes')})")


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def stamp(top, binary, server_cpu, client_cpu):
    """Everything a reader needs to judge where a number came from."""
    return {
        "date": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "machine": cpu_model(),
        "hypervisor": hypervisor(),
        "cores": os.cpu_count(),
        "kernel": os.uname().release,
        "commit": git_commit(top),
        "versions": tool_versions(binary),
        "server_cpu": server_cpu,
        "client_cpu": client_cpu,
        "loadavg_at_start": loadavg(),
    }


def raise_fd_limit(wanted=65536):
    """Raises RLIMIT_NOFILE for this process and everything it starts (servers, wrk, the idle
    client). Root may lift the hard limit too; others get their hard limit. Returns the soft limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    for target in ((wanted, max(hard, wanted)), (min(wanted, hard), hard)):
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, target)
            return target[0]
        except (ValueError, OSError):
            continue
    return soft


def free_port():
    """An ephemeral port nobody is listening on now (a small race, acceptable for a bench)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pin_self(cpu):
    """Keeps the orchestrator (and its samplers) off the server's core."""
    if cpu is not None:
        os.sched_setaffinity(0, {cpu})


NICE = 0  # set from --nice; applies to every server and wrk


def taskset(cpu, cmd):
    """cmd pinned to cpu (and reniced when --nice asks); each wrapper execs in place, so the
    pid is the command's own."""
    if cpu is not None:
        cmd = ["taskset", "-c", str(cpu)] + cmd
    return (["nice", "-n", str(NICE)] + cmd) if NICE else cmd


def _autogroup_nice(pid):
    try:
        with open(f"/proc/{pid}/autogroup") as f:  # "/autogroup-37 nice 0"
            return int(f.read().split()[-1])
    except (OSError, ValueError, IndexError):
        return None


def _set_autogroup_nice(pid, value):
    try:
        with open(f"/proc/{pid}/autogroup", "w") as f:
            f.write(str(value))
    except OSError:
        pass  # no autogroup support, or not allowed: the task's nice level still applies


def renice_autogroup(pid="self"):
    """With autogroup scheduling (sched_autogroup_enabled), every session competes as one
    group and a task's nice level only counts inside its own session: --nice must also be
    written to the session's autogroup, or it does nothing against other sessions' work.
    Returns the previous value for restore_autogroup (None: nothing changed)."""
    if not NICE:
        return None
    before = _autogroup_nice(pid)
    _set_autogroup_nice(pid, NICE)
    return before


def restore_autogroup(before, pid="self"):
    """The bench's own session outlives it (the shell that started it): give its nice back."""
    if before is not None:
        _set_autogroup_nice(pid, before)


def cores_busy_pct(cpus, seconds=0.5):
    """How busy the given cores are over `seconds`, in percent of one core each (the max)."""
    cpus = [c for c in cpus if c is not None]
    if not cpus:
        return 0.0
    before = [core_busy_ticks(c) for c in cpus]
    time.sleep(seconds)
    tick = os.sysconf("SC_CLK_TCK")
    return max((core_busy_ticks(c) - b) / tick / seconds * 100 for c, b in zip(cpus, before))


def wait_for_quiet_cores(cpus, max_pct, limit):
    """Waits (at most `limit` s) until the cores are at most max_pct busy while our servers
    idle: another session's compile job will end, and measuring beside it is measuring it.
    Returns the last busy figure."""
    deadline = time.monotonic() + limit
    busy = cores_busy_pct(cpus)
    while busy > max_pct and time.monotonic() < deadline:
        time.sleep(2)
        busy = cores_busy_pct(cpus)
    return busy


def core_ticks(cpu):
    """(task, softirq) busy clock ticks of one core since boot. task: user, nice, system and
    steal (the hypervisor's share counts against us too); softirq: irq and softirq, mostly the
    loopback traffic of the benchmark itself, which the kernel charges to no task."""
    if cpu is None:
        return 0, 0
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith(f"cpu{cpu} "):
                user, nice, system, _idle, _iowait, irq, softirq, steal = (
                    int(x) for x in line.split()[1:9])
                return user + nice + system + steal, irq + softirq
    return 0, 0


def core_busy_ticks(cpu):
    return sum(core_ticks(cpu))


def listen_backlog(port):
    """Connections waiting in the accept queue of the listener(s) on 127.0.0.1:port: the
    handshake is done, the server has not accepted them. /proc/net/tcp lists listening sockets
    first, so the scan stops at the first established one."""
    want = f":{port:04X}"
    total = 0
    with open("/proc/net/tcp") as f:
        next(f)  # header
        for line in f:
            fields = line.split()
            if fields[3] != "0A":  # TCP_LISTEN
                break
            if fields[1].endswith(want):
                total += int(fields[4].split(":")[1], 16)
    return total


LOCK_PATH = "/tmp/polybench.lock"


def bench_lock(wait, note):
    """One benchmark at a time on a machine: two would share the pinned cores and measure each
    other. Holds an flock on LOCK_PATH for the life of the process (the returned file). wait:
    block until the other run ends; otherwise warn and go on (the smoke test only wants numbers)."""
    try:
        f = open(LOCK_PATH, "a+")
    except OSError:  # another user's lock file: no locking rather than no benchmark
        return None
    try:
        fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        f.seek(0)
        holder = f.read().strip() or "?"
        if not wait:
            note(f"bench: another bench/run (pid {holder}) is running: numbers will be disturbed")
            return f
        note(f"bench: waiting for another bench/run (pid {holder}) to finish ...")
        fcntl.flock(f, fcntl.LOCK_EX)
    f.seek(0)
    f.truncate()
    f.write(str(os.getpid()))
    f.flush()
    return f
