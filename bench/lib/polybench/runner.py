"""The matrix: for each cell (file, connections, keep-alive) start every server, warm each up,
then measure rounds interleaved across servers (A B C A B C ...), so a slow minute on a shared
machine hits every server instead of one. Each measurement is one wrk run plus the server
tree's CPU and memory around it. The compressed cell is a pair of cells run as one group: the
same servers (started once, compressing) serve the file with and without Accept-Encoding in
the same interleaved rounds, so the ratio of the two is taken under the same load.

Runs on the orchestrator's main thread (pinned to the client core)."""
import datetime
import os
import time
from dataclasses import dataclass

from . import compressed, measure, pool, proctree, servers, system, tls, webroot, wrkrun

TLS_FILE = "679B"  # the TLS cells' page: what they measure is the TLS work around it


@dataclass(frozen=True)
class Cell:
    """tls: '' for plain HTTP, else the certificate kind (tls.CERTS). A TLS cell without
    keep-alive is a handshake cell: resume says whether the client offers its last ticket.
    compress: the servers run with compression on (the compressed cell); encoding: the
    Accept-Encoding the client sends ('' sends none: identity)."""
    file: str
    conns: int
    keepalive: bool
    tls: str = ""
    resume: bool = False
    compress: bool = False
    encoding: str = ""

    def mode(self):
        return tls.mode_words(self.keepalive, tls.LABELS.get(self.tls, ""),
                              "resumed" if self.resume else "full", self.encoding)

    def label(self):
        return f"c={self.conns} {self.file} {self.mode()}"


def plan_cells(files, connections, keepalive_modes, close_files, tls_kinds=(), tls_modes=(),
               tls_connections=(), compress_files=(), accept_encoding=""):
    """Keep-alive cells for every file; the compressed cell's pairs (identity, then
    accept_encoding) for compress_files, keep-alive; Connection: close cells for close_files
    only (they measure connection rate, which the file size does not change); then the TLS
    cells, on the small page only, per certificate kind and TLS mode (tls.MODES)."""
    cells = []
    if True in keepalive_modes:
        cells += [Cell(f, c, True) for f in files for c in connections]
    for f in compress_files:
        for c in connections:
            cells += [Cell(f, c, True, compress=True),
                      Cell(f, c, True, compress=True, encoding=accept_encoding)]
    if False in keepalive_modes:
        cells += [Cell(f, c, False) for f in close_files for c in connections]
    for kind in tls_kinds:
        for mode in (m for m in tls.MODES if m in tls_modes):
            cells += [Cell(TLS_FILE, c, mode == "keepalive", kind, mode == "resumed")
                      for c in tls_connections]
    return cells


def count_runs(cells, specs, rounds):
    return sum(rounds * sum(1 for s in specs if s.serves(c)) for c in cells)


def groups(cells):
    """The cells in plan order, as the lists Matrix.run takes: a compressed pair together (one
    server start for both), every other cell alone."""
    out = []
    for cell in cells:
        if cell.compress and out and out[-1][0].compress and out[-1][0].file == cell.file \
                and out[-1][0].conns == cell.conns:
            out[-1].append(cell)
        else:
            out.append([cell])
    return out


class Matrix:
    def __init__(self, opts, specs, paths, progress):
        self.o, self.specs, self.paths, self.progress = opts, specs, paths, progress
        self.rows = []
        self.pool_series = {}  # (server, cell, round) -> the kept round's pool samples (pool.py)
        self.waited = 0.0  # seconds spent waiting for quiet cores, against --quiet-budget

    def run(self, group):
        """group: one cell, or the cells of one group (groups()) that the same servers serve."""
        running = self._start_all(group)
        try:
            self._warm_up(running, group)
            for r in range(1, self.o.rounds + 1):
                for srv in self._order(running, r, len(group)):
                    for cell in self._order(group, r, len(group)):
                        if srv.spec.serves(cell) and cell not in srv.skipped:
                            self._measure(srv, cell, r)
        finally:
            for srv in running:
                srv.stop()
        return self.rows

    def _order(self, items, r, cells_in_group=1):
        """A B C, then C B A on even rounds when two binaries are compared or a group has two
        cells: MODEL and MODEL@baseline (or a file with and without Accept-Encoding) run side
        by side, and reversing cancels a drift within the cell (a neighbour's build starting)
        that would otherwise always hit the second one of a pair. Otherwise the order stays
        A B C every round, as it always was."""
        pairs = self.o.baseline_binary or cells_in_group > 1
        return items[::-1] if pairs and r % 2 == 0 else items

    def _start_all(self, group):
        running = []
        for spec in self.specs:
            cells = [c for c in group if spec.serves(c)]
            if not cells:
                continue
            srv = start(spec, self.o, f"cell{len(self.rows)}", cells[0])
            try:
                srv.wait_ready(self.paths[cells[0].file], webroot.size_of(cells[0].file))
            except RuntimeError as e:
                self.progress.note(f"warning: {e}; skipped in {cells[0].label()}")
                for cell in cells:
                    self._skip_rounds(spec, cell, str(e))
                continue
            for cell in (c for c in cells if c.encoding):
                self._check_encoding(srv, cell)
            running.append(srv)
        return running

    def _check_encoding(self, srv, cell):
        """A server that answers Accept-Encoding with identity (or a body that does not decode)
        is reported and its compressed cell not measured."""
        try:
            srv.sent[cell] = compressed.check(srv.port, self.paths[cell.file], cell.encoding,
                                              webroot.content(cell.file))
        except RuntimeError as e:
            self.progress.note(f"warning: {srv.spec.name} {e}; skipped in {cell.label()}")
            self._skip_rounds(srv.spec, cell, str(e))
            srv.skipped.add(cell)

    def _skip_rounds(self, spec, cell, why):
        for r in range(1, self.o.rounds + 1):
            self.progress.step(f"{spec.name} {cell.label()} round {r}/{self.o.rounds} (skipped)")
            self.rows.append(base_row(spec, cell, r) | {"error": why})
            self.progress.finish_step("skipped")

    def _warm_up(self, running, group):
        """Each server with each cell's load (a compressing server makes its variant here)."""
        for srv in running:
            for cell in group:
                if srv.spec.serves(cell) and cell not in srv.skipped:
                    wrkrun.run(srv, self.paths[cell.file], cell, self.o.warmup, self.o.timeout,
                               self.o.client_cpu)  # results discarded
            proctree.wait_quiet(srv.pid)

    def _measure(self, srv, cell, r):
        """One round; repeated (at most --noise-retries times, after waiting for quiet cores)
        while a pinned core was busy with other work. Keeps the least noisy attempt."""
        self.progress.step(f"{srv.spec.name} {cell.label()} round {r}/{self.o.rounds}")
        attempts = []
        for attempt in range(self.o.noise_retries + 1):
            row = base_row(srv.spec, cell, r) | measure.run(srv, cell, self.paths[cell.file], self.o)
            if cell in srv.sent:
                row["content_encoding"], row["body_bytes"] = srv.sent[cell]
            row["noise_retries"] = attempt
            attempts.append(row)
            if row.get("error") or measure.noise_pct(row) <= self.o.max_noise:
                break
            if attempt == self.o.noise_retries or self.waited >= self.o.quiet_budget:
                break
            self.progress.note(f"    noisy round ({measure.noise_pct(row):.0f}% of a core lost to "
                               "other work): repeating")
            t0 = time.monotonic()
            if system.NICE >= 0:  # reniced, other work only fills idle time: no use waiting
                system.wait_for_quiet_cores([self.o.server_cpu, self.o.client_cpu],
                                            self.o.max_noise, self.o.quiet_wait)
            self.waited += time.monotonic() - t0
            self.progress.paused += time.monotonic() - t0
        row = min(attempts, key=lambda a: (bool(a.get("error")), measure.noise_pct(a)))
        row["noise_retries"] = len(attempts) - 1
        series = [a.pop("pool_series", None) for a in attempts][attempts.index(row)]
        if series is not None:
            self._keep_pool_series(srv.spec.name, cell, r, series)
        self.rows.append(row)
        self.progress.finish_step(summary(row))

    def _keep_pool_series(self, server, cell, r, series):
        """In memory for the chart, and as pool/SERVER-FILE-cN-MODE-rR.csv in the results."""
        self.pool_series[(server, cell, r)] = series
        folder = os.path.join(self.o.out_dir, "pool")
        os.makedirs(folder, exist_ok=True)
        mode = "keepalive" if cell.keepalive else "close"
        name = f"{server}-{cell.file}-c{cell.conns}-{mode}-r{r}.csv"
        pool.write_series(os.path.join(folder, name), series)


def summary(row):
    if row.get("error"):
        return "error: " + row["error"]
    text = (f"{row['rps']:,.0f} req/s, p99 {row['p99_ms']:.2f} ms, "
            f"{row['req_per_cpu_s'] or 0:,.0f} req/CPU-s, {row['errors'] + row['non2xx']} errors")
    if row.get("resumed_pct") is not None:
        text += f", {row['resumed_pct']:.0f}% resumed"
    if row["backlog_median"]:
        text += f", {row['backlog_median']:.0f} waiting in the accept queue"
    if row.get("pool_samples"):
        text += (f", pool {row['pool_min'] if row['pool_min'] is not None else '?'}-"
                 f"{row['pool_max'] if row['pool_max'] is not None else '?'} workers "
                 f"({row['pool_procs_min']}-{row['pool_procs_max']} processes)")
    noise = measure.noise_pct(row)
    return text + (f", noisy ({noise:.0f}%)" if noise > 10 else "")


def start(spec, opts, tag, cell=None):
    """cell: the TLS cell it serves (its certificate), or None / a plain cell: plain HTTP."""
    tmp = os.path.join(opts.tmp_dir, f"{spec.name}-{tag}")
    log = os.path.join(opts.out_dir, "logs", f"{spec.name}.log")
    setup = opts.tls_setups[cell.tls] if cell and cell.tls else None
    return servers.Running(spec, system.free_port(), opts.webroot, tmp, opts.server_cpu, log,
                           setup, bool(cell and cell.compress),
                           webroot.size_of(cell.file) if cell else 679)


def base_row(spec, cell, r):
    return {
        "time": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "server": spec.name, "kind": spec.kind, "server_args": " ".join(spec.args),
        "file": cell.file, "file_bytes": webroot.size_of(cell.file), "connections": cell.conns,
        "keepalive": "on" if cell.keepalive else "off",
        "tls": tls.LABELS[cell.tls] if cell.tls else "",
        "handshakes": "" if not cell.tls or cell.keepalive else (
            "resumed" if cell.resume else "full"),
        "accept_encoding": cell.encoding, "content_encoding": "" if cell.encoding else "identity",
        "body_bytes": "" if cell.encoding else webroot.size_of(cell.file),
        "round": r,
    }
