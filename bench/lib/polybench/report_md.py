"""results.md: the stamp, the method, the charts, then (with TLS cells) the TLS summary, then
per matrix slice (file x keep-alive, and for TLS x certificate x handshakes) one pivot table per
metric (rows: servers, columns: connections), then the idle run."""
from . import aggregate, compare, compress_report, glance, idlerun, measure, tls


def _num(v, digits=0):
    if v is None:
        return "–"
    return f"{v:,.{digits}f}"


def _ms(v):
    if v is None:
        return "–"
    return f"{v:.2f}" if v < 10 else f"{v:,.0f}"


def stamp_lines(stamp):
    v = stamp["versions"]
    return [
        "| | |", "|---|---|",
        f"| date | {stamp['date']} |",
        f"| machine | {stamp['machine']}, {stamp['cores']} cores, hypervisor: {stamp['hypervisor']} |",
        f"| kernel | {stamp['kernel']} |",
        f"| commit | {stamp['commit']} |",
        f"| load average at start | {stamp['loadavg_at_start']} |",
        f"| pinning | server on cpu {stamp['server_cpu']}, wrk on cpu {stamp['client_cpu']}, "
        f"nice {stamp.get('nice', 0)} |",
    ] + [f"| {name} | {ver} |" for name, ver in v.items()]


def method_lines(opts, command_line):
    return [
        f"Command: `{command_line}`", "",
        f"Each cell: every server started fresh, warmed up with {opts.warmup} s of the same load, "
        f"then {opts.rounds} round(s) of {opts.duration} s, interleaved across servers "
        "(A B C A B C ...). Tables show the median round; `±` is the spread (max − min) / median. "
        f"wrk runs one thread (`-t1`), timeout {opts.timeout} s. Server CPU is utime+stime of the "
        "server's whole process tree (reaped children included; for a single-threaded process "
        "the larger of that and its schedstat run time) from before the wrk run until "
        "the tree is quiet after it; peak RSS is the tree's summed VmRSS sampled every 200 ms, "
        "PSS one snapshot half-way through. " + noise_sentence(opts), "",
    ]


def noise_sentence(opts):
    if opts.nice < 0:
        return (f"Servers and wrk ran at nice {opts.nice}, so other work only filled idle time; a "
                f"round in which wrk waited for its core more than {opts.max_noise:g}% of the time "
                f"was repeated, at most {opts.noise_retries} time(s).")
    return (f"A round during which a pinned core was more than {opts.max_noise:g}% busy with "
            f"other work was repeated after waiting up to {opts.quiet_wait:g} s for quiet cores, "
            f"at most {opts.noise_retries} time(s).")


def _pivot(title, cells, servers, conns, fmt):
    out = [f"**{title}**", "", "| server | " + " | ".join(f"c={c}" for c in conns) + " |",
           "|---|" + "---:|" * len(conns)]
    by_key = {(c["server"], c["connections"]): c for c in cells}
    for s in servers:
        row = [fmt(by_key[(s, c)]) if (s, c) in by_key else "" for c in conns]
        out.append(f"| {s} | " + " | ".join(row) + " |")
    return out + [""]


def _rps(cell, noisy_pct):
    if cell["rounds"] == 0:
        return "failed"
    sp = aggregate.spread_pct(cell)
    mark = " †" if measure.noise_pct(cell) > noisy_pct else ""
    return _num(cell["rps"]) + (f" ±{sp:.0f}%" if sp is not None else "") + mark


def _errors(cell):
    e, s = cell.get("errors"), cell.get("non2xx")
    if e is None:
        return "–"
    return "0" if not e and not s else f"{e:,.0f} / {s:,.0f}"


def _slice_key(cell):
    return (cell["file"], cell["keepalive"], cell.get("tls", ""), cell.get("handshakes", ""),
            cell.get("accept_encoding", ""))


def _title(cell):
    words = aggregate.mode(cell)
    return f"{cell['file']}, " + ("Connection: close" if words == "close" else words)


def slice_lines(cells, key, noisy_pct):
    cells = [c for c in cells if _slice_key(c) == key]
    servers = list(dict.fromkeys(c["server"] for c in cells))
    conns = sorted({c["connections"] for c in cells})
    handshakes = cells[0].get("handshakes")
    out = [f"### {_title(cells[0])}", ""]
    out += _pivot("requests/s", cells, servers, conns, lambda c: _rps(c, noisy_pct))
    out += _pivot("requests (one handshake each) per server CPU-second" if handshakes else
                  "requests per server CPU-second", cells, servers, conns,
                  lambda c: _num(c.get("req_per_cpu_s")))
    floors = glance.floor_of(cells)
    if floors:
        out += _pivot("requests per server CPU-second × the floor's (1.00×: as cheap as the "
                      "floor)", cells, servers, conns,
                      lambda c: glance.ratio_text(glance.to_floor(c, floors)))
    if handshakes:
        out += _pivot("handshakes the server resumed, % / handshakes that negotiated other than "
                      f"{tls.PINNED}, ALPN http/1.1 (must be 0)", cells, servers, conns,
                      lambda c: f"{_num(c.get('resumed_pct'))} / {_num(c.get('mismatch'))}")
    out += _pivot("latency p50 / p99 (ms)", cells, servers, conns,
                  lambda c: f"{_ms(c.get('p50_ms'))} / {_ms(c.get('p99_ms'))}")
    out += _pivot("server CPU seconds per 1,000 requests", cells, servers, conns,
                  lambda c: _num(c.get("cpu_s_per_1k"), 3))
    out += _pivot("memory of the server tree (MiB): peak summed RSS / PSS half-way through",
                  cells, servers, conns,
                  lambda c: f"{_num(c.get('peak_rss_mib'), 1)} / {_num(c.get('mid_pss_mib'), 1)}")
    out += _pivot("errors per round: socket (connect+read+write+timeout) / non-2xx", cells,
                  servers, conns, _errors)
    client = "tlsload's" if handshakes else "wrk's"
    out += _pivot(f"{client} CPU use, % of its core (near 100: the client set the pace) / "
                  "unexplained load on the server's core, %", cells, servers, conns,
                  lambda c: f"{_num(c.get('wrk_cpu_pct'))} / {_num(c.get('server_core_other_pct'))}")
    pooled = [c for c in cells if c.get("pool_samples")]
    if pooled:
        out += _pivot("pool size, sampled every 0.5 s during the rounds (the workers on "
                      "prefork's scoreboard; its processes where the page was not asked, the "
                      "pool being at its maximum): min / median / max, idle workers median "
                      "[processes min–max; samples the page answered, of all]", pooled,
                      list(dict.fromkeys(c["server"] for c in pooled)), conns, _pool)
    if any((c.get("backlog_max") or 0) > 0 for c in cells):
        out += _pivot("connections waiting in the accept queue, median / max of 200 ms samples "
                      "(with keep-alive, one that waits all run is never served, and wrk counts "
                      "no error for it)", cells, servers,
                      conns, lambda c: f"{_num(c.get('backlog_median'))} / {_num(c.get('backlog_max'))}")
    return out


def _pool(cell):
    """One cell's pool figures (pool.summarize)."""
    procs = f"[{_num(cell.get('pool_procs_min'))}–{_num(cell.get('pool_procs_max'))}; " \
            f"{cell['pool_answered']} of {cell['pool_samples']}]"
    if cell.get("pool_median") is None:
        return "no answer " + procs
    return (f"{_num(cell['pool_min'])} / {_num(cell['pool_median'])} / {_num(cell['pool_max'])}, "
            f"{_num(cell.get('pool_idle_median'))} idle {procs}")


def tls_summary(cells):
    """The TLS cells at a glance: per server and TLS cell (at its highest connection count)
    requests per server CPU-second, and the ratio to nginx's in the same cell."""
    tls_cells = [c for c in cells if c.get("tls")]
    slices = list(dict.fromkeys(_slice_key(c) for c in tls_cells))
    top = {k: max(c["connections"] for c in tls_cells if _slice_key(c) == k) for k in slices}
    chosen = {(c["server"], _slice_key(c)): c for c in tls_cells
              if c["connections"] == top[_slice_key(c)]}
    example = {key: c for (_, key), c in chosen.items()}  # any cell of the slice, for its name
    heads = [aggregate.mode(example[key]).removeprefix("TLS ") + f", c={top[key]}"
             for key in slices]
    out = ["## TLS at a glance", "",
           f"Requests per server CPU-second (a handshake cell does one handshake per request), "
           f"median of rounds, and × nginx in the same cell. All: {tls.PINNED}, ALPN http/1.1; "
           "the same certificate files for every server; session tickets on everywhere.", "",
           "| server | " + " | ".join(heads) + " |", "|---|" + "---:|" * len(slices)]
    for server in dict.fromkeys(c["server"] for c in tls_cells):
        row = []
        for key in slices:
            c, ref = chosen.get((server, key)), chosen.get(("nginx", key))
            eff = c.get("req_per_cpu_s") if c else None
            base = ref.get("req_per_cpu_s") if ref else None
            ratio = f" ({eff / base:.2f}×)" if eff and base and server != "nginx" else ""
            row.append((_num(eff) if c and c["rounds"] else "failed") + ratio if c else "")
        out.append(f"| {server} | " + " | ".join(row) + " |")
    return out + [""]


def print_tls_summary(cells, stream):
    if any(c.get("tls") for c in cells):
        print("\n" + "\n".join(tls_summary(cells)), file=stream)


def idle_lines(results):
    out = ["## Idle connections", "",
           "N keep-alive connections, each having made one request, held open against a fresh "
           "server; then 100 sequential requests, each on a new connection. Memory per "
           "connection = (tree memory with the idle connections − before) / connections held. "
           "PSS splits shared pages among processes; RSS counts them in every process.", "",
           "| server | what happened | PSS/conn (KiB) | RSS/conn (KiB) | tree PSS after (MiB) "
           "| processes | fresh p50 / p99 (ms), no load | fresh p50 / p99 (ms), under load |",
           "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in results:
        if r.get("error"):
            out.append(f"| {r['server']} | {r['error']} | | | | | | |")
            continue
        out.append(
            f"| {r['server']} | {idlerun.describe(r)} | {_num(r['pss_per_conn_kib'], 1)} "
            f"| {_num(r['rss_per_conn_kib'], 1)} | {_num(r['pss_after_kib'] / 1024, 1)} "
            f"| {r['server_processes']} "
            f"| {_ms(r['fresh_p50_ms_before'])} / {_ms(r['fresh_p99_ms_before'])} "
            f"| {_ms(r['fresh_p50_ms'])} / {_ms(r['fresh_p99_ms'])} |")
    return out + [""]


def tables(cells, idle_results, noisy_pct):
    """The result tables alone (bench/publish pastes these into RESULTS.md)."""
    out = ["## Matrix", "",
           f"† other work on this shared machine disturbed the cell by more than {noisy_pct:g}% of "
           "a core (median of its rounds, after the allowed repeats; see Method).", ""]
    out += glance.lines(cells) + glance.idle_memory_lines(idle_results or [])
    if any(c.get("tls") for c in cells):
        out += tls_summary(cells)
    for key in dict.fromkeys(_slice_key(c) for c in cells):
        out += slice_lines(cells, key, noisy_pct)
    if idle_results:
        out += idle_lines(idle_results)
    return out


def write(path, stamp, opts, command_line, cells, idle_results, charts):
    out = ["# polyhttpd model comparison", ""] + stamp_lines(stamp) + [""]
    out += ["## Method", ""] + method_lines(opts, command_line)
    if charts:
        out += ["## Charts", ""] + [f"![{title}]({file})" for file, title in charts] + [""]
    out += compare.section(cells, (opts.binary, opts.baseline_binary), opts.max_noise)
    out += compress_report.section(cells, opts.max_noise)
    out += tables(cells, idle_results, opts.max_noise)
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
