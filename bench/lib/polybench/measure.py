"""One measured round: a wrk run against a running server, with around it the server tree's
CPU time, its peak RSS, its accept queue, and how busy both cores were with anything else.

Noise: on a shared machine another process may land on a pinned core. For each core we take
its task time (user+nice+system+steal) from /proc/stat and subtract what we can account for
(the server tree on the server core; wrk and this script on the client core). The rest, as a
share of the run, is *_core_other_pct; the runner repeats a round where it exceeds
--max-noise. irq/softirq time is kept apart: it is mostly this benchmark's own loopback TCP."""
import contextlib
import resource
import statistics
import time

from . import pool, proctree, system, wrkrun


def _self_cpu():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


class _Cores:
    """Busy time of both pinned cores and of this script, and the wall clock."""

    def __init__(self, o):
        self.server_core, self.server_softirq = (
            t / proctree.TICK for t in system.core_ticks(o.server_cpu))
        self.client_core, self.client_softirq = (
            t / proctree.TICK for t in system.core_ticks(o.client_cpu))
        self.me = _self_cpu()
        self.wall = time.monotonic()


class _Tree:
    """CPU time and run-queue delay of the server's process tree."""

    def __init__(self, srv):
        self.cpu = proctree.cpu_seconds(srv.pid)
        self.delay = proctree.tree_run_delay_seconds(srv.pid)


def _other_pct(core_busy, accounted, seconds, cpu):
    if cpu is None or not seconds:
        return None
    return max(0.0, core_busy - accounted) / seconds * 100


def run(srv, cell, path, o):
    """Returns the round's metrics, or {'error': ...} if wrk produced no numbers."""
    tree0, cores0 = _Tree(srv), _Cores(o)
    # plain HTTP only: in a TLS cell the port speaks TLS (the pool is the same anyway)
    backlog = lambda: system.listen_backlog(srv.port)  # noqa: E731
    sizes = (pool.PoolSampler(srv.port, srv.pid, pool.max_workers(srv.spec.args), backlog)
             if srv.spec.pooled and not cell.tls else None)
    with proctree.Sampler(srv.pid, backlog, pss_at=o.duration / 2) as samples, \
            (sizes or contextlib.nullcontext()):
        m, out, wrk_cpu, wrk_delay = wrkrun.run(srv, path, cell, o.duration, o.timeout,
                                                o.client_cpu)
    cores1 = _Cores(o)
    # wrk's exit ends its connections: a fork child per connection exits now, and its CPU
    # moves to the master's cutime when reaped. Reading the tree mid-way loses children caught
    # between the two, so read it once the tree is quiet (teardown work included).
    proctree.wait_quiet(srv.pid)
    tree1 = _Tree(srv)
    if m is None:
        return {"error": "wrk: " + (out.strip().splitlines() or ["no output"])[-1]}
    cpu = tree1.cpu - tree0.cpu
    wall = cores1.wall - cores0.wall  # the span the core counters cover (wrk's start-up included)
    pooled = {} if sizes is None else sizes.metrics() | {"pool_series": sizes.samples}
    return m | _efficiency(m, cpu) | _memory(samples) | pooled | {
        # wrk near 100 %: the client, not the server, set the pace of this round
        "wrk_cpu_pct": wrk_cpu / wall * 100 if wall else None,
        # run-queue delay: time ready to run while another task held the core. wrk's is clean
        # interference; the server tree's also counts its own threads waiting for each other
        "wrk_rq_delay_pct": wrk_delay / wall * 100 if wall else None,
        "server_rq_delay_pct": (tree1.delay - tree0.delay) / wall * 100 if wall else None,
    } | _cores(cores0, cores1, cpu, wrk_cpu, wall, o)


def _efficiency(m, cpu):
    reqs = m["requests"]
    return {
        "errors": m["err_connect"] + m["err_read"] + m["err_write"] + m["err_timeout"],
        "cpu_s": cpu,
        "cpu_s_per_1k": cpu / reqs * 1000 if reqs else None,
        "req_per_cpu_s": reqs / cpu if cpu > 0 else None,
    }


def _memory(samples):
    return {
        "peak_rss_mib": samples.peak_kib / 1024,
        "mid_pss_mib": samples.pss_kib / 1024 if samples.pss_kib is not None else None,
        # connections wrk opened that the server had not accepted: a loop or a full prefork
        # pool leaves them there, and wrk's own numbers never show it
        "backlog_median": statistics.median(samples.backlog[1:] or samples.backlog),
        "backlog_max": max(samples.backlog),
    }


def _cores(c0, c1, server_cpu, wrk_cpu, wall, o):
    return {
        "server_core_other_pct": _other_pct(c1.server_core - c0.server_core, server_cpu, wall,
                                            o.server_cpu),
        "client_core_other_pct": _other_pct(c1.client_core - c0.client_core,
                                            wrk_cpu + c1.me - c0.me, wall, o.client_cpu),
        # softirq/irq time on the server's core: loopback TCP work for this run that the kernel
        # charges to no process (not in cpu_s; not counted as noise either)
        "server_core_softirq_pct": _other_pct(c1.server_softirq - c0.server_softirq, 0, wall,
                                              o.server_cpu),
    }


def noise_pct(row):
    """How much other work disturbed the round, in percent of a core.

    At the default nice level everything competes as equals, so the unexplained busy share of
    either core is what other work took from us. With --nice below 0 our tasks win their core
    whenever they want it and other work only fills idle time; what still disturbs the round is
    then wrk waiting for its core (its run-queue delay). The server tree's delay is no measure
    here: a thread or process per connection waits mostly for its own siblings."""
    if system.NICE < 0:
        return row.get("wrk_rq_delay_pct") or 0
    return max(row.get("server_core_other_pct") or 0, row.get("client_core_other_pct") or 0)
