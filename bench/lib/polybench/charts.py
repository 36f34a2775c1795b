"""Charts with gnuplot (Debian's gnuplot-nox): one line per server against connections, with
the min-max spread of the rounds as error bars; each chart as SVG and PNG.

Skipped (with a note) when gnuplot is not installed; the tables carry the same numbers."""
import os
import shutil
import subprocess

# (metric, y label, log y?, file stem)
METRICS = {
    "rps": ("requests/s", False),
    "req_per_cpu_s": ("requests per server CPU-second", False),
    "p99_ms": ("latency p99 (ms)", True),
}


def _data_file(path, cells, servers, metric):
    with open(path, "w") as f:
        for s in servers:
            f.write(f"# {s}\n")
            for c in sorted((c for c in cells if c["server"] == s), key=lambda c: c["connections"]):
                if c.get(metric) is None:
                    continue
                lo, hi = c.get(metric + "_min", c[metric]), c.get(metric + "_max", c[metric])
                f.write(f"{c['connections']} {c[metric]} {lo} {hi}\n")
            f.write("\n\n")  # two blank lines: a new gnuplot index


# Thirteen and more lines must stay apart: a colour each (a palette for colour-blind readers
# first, then darker tones) and, for the reference servers, a dashed line.
COLOURS = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442",
           "#000000", "#7f3c8d", "#11a579", "#3969ac", "#f2b701", "#e73f74", "#80ba5a"]
REFERENCE_NAMES = ("yardstick", "nginx", "lighttpd", "h2o")


def _style(i, server, servers):
    """MODEL@baseline takes its model's colour, dotted, so each pair reads as one."""
    model, at, _ = server.partition("@")
    if at and model in servers:
        i = servers.index(model)
    dash = 3 if at else 2 if server in REFERENCE_NAMES else 1
    return f"lc rgb '{COLOURS[i % len(COLOURS)]}' dt {dash} pt {i % 13 + 1} lw 2"


def _script(data, stem, title, ylabel, logy, servers):
    plots = ", ".join(f"'{data}' index {i} using 1:2:3:4 with yerrorlines "
                      f"{_style(i, s, servers)} title '{s}'" for i, s in enumerate(servers))
    common = [
        f"set title '{title}' noenhanced",
        "set xlabel 'connections'", f"set ylabel '{ylabel}'",
        "set logscale x 2", "set grid", "set key outside right top noenhanced",
        "set format y '%.0s%c'" if not logy else "set logscale y 10",
        "set offsets graph 0.03, graph 0.03, graph 0.05, 0",
    ]
    return "\n".join(common + _outputs(stem, plots)) + "\n"


def _outputs(stem, plots):
    """The lines that draw `plots` into STEM.svg and STEM.png."""
    return ["set terminal svg size 960,540 dynamic font 'sans,12' background rgb 'white'",
            f"set output '{stem}.svg'", f"plot {plots}",
            "set terminal pngcairo size 960,540 font 'sans,10'",
            f"set output '{stem}.png'", "replot", "unset output"]


def _plot(chart_dir, stem, title, script, made):
    """Runs the script as STEM.gp in chart_dir; on success appends (svg path, title) to made."""
    with open(os.path.join(chart_dir, stem + ".gp"), "w") as f:
        f.write(script)
    p = subprocess.run(["gnuplot", stem + ".gp"], cwd=chart_dir, capture_output=True, text=True)
    if p.returncode == 0:
        made.append((f"charts/{stem}.svg", title))
    else:
        print(f"warning: gnuplot failed for {stem}: {p.stderr.strip()}")


def render(out_dir, cells, file, keepalive, label):
    """Charts for one slice; returns [(relative svg path, title)]."""
    chosen = [c for c in cells if c["file"] == file and c["keepalive"] == keepalive
              and not c.get("tls")]  # TLS cells have tables of their own, no chart
    servers = [s for s in dict.fromkeys(c["server"] for c in chosen)
               if any(c["server"] == s and c.get("rps") for c in chosen)]
    if not servers or shutil.which("gnuplot") is None:
        return []
    chart_dir = os.path.join(out_dir, "charts")
    os.makedirs(chart_dir, exist_ok=True)
    made = []
    for metric, (ylabel, logy) in METRICS.items():
        stem = f"{metric.replace('_', '-')}-{file}-{'keepalive' if keepalive == 'on' else 'close'}"
        data = f"{stem}.dat"
        _data_file(os.path.join(chart_dir, data), chosen, servers, metric)
        title = f"{ylabel}, {file}, {label}"
        script = _script(data, stem, title, ylabel, logy, servers)
        _plot(chart_dir, stem, title, script, made)
    return made


def render_all(out_dir, cells, small_file, close_file):
    """The small file with keep-alive (throughput, efficiency, tail latency) and the
    connection-rate slice (Connection: close), when they were measured."""
    charts = render(out_dir, cells, small_file, "on", "keep-alive")
    if close_file:
        charts += render(out_dir, cells, close_file, "off", "Connection: close")
    return charts


def render_pool(out_dir, series, file, keepalive="on", rnd=1):
    """prefork's pool size over one measured round (round `rnd`), one line per connection
    count: the workers on its scoreboard, or its processes where the page was not asked
    (solid), and the idle workers (dashed; a gap where the page was not asked), from
    runner.Matrix.pool_series ((server, cell, round) -> pool.PoolSampler samples). Returns
    [(relative svg path, title)], at most one per server."""
    made = []
    if shutil.which("gnuplot") is None:
        return made
    chosen = {}
    for (server, cell, r), samples in series.items():
        if (r == rnd and cell.file == file and cell.keepalive == (keepalive == "on")
                and not cell.tls and not cell.encoding):
            chosen.setdefault(server, {})[cell.conns] = samples
    chart_dir = os.path.join(out_dir, "charts")
    for server, by_conns in chosen.items():
        os.makedirs(chart_dir, exist_ok=True)
        mode = "keepalive" if keepalive == "on" else "close"
        stem = f"pool-{server.replace('@', '-')}-{file}-{mode}"
        conns = sorted(by_conns)
        with open(os.path.join(chart_dir, stem + ".dat"), "w") as f:
            for c in conns:
                f.write(f"# c={c}: t_s workers idle\n")
                for t, workers, idle, procs in by_conns[c]:  # the pool as pool.py counts it
                    f.write(f"{t:.2f} {procs if workers is None else workers} "
                            f"{'?' if idle is None else idle}\n")
                f.write("\n\n")
        title = (f"{server}: pool size during round {rnd}, {file}, "
                 f"{'keep-alive' if keepalive == 'on' else 'Connection: close'}")
        plots = ", ".join(
            f"'{stem}.dat' index {i} using 1:{col} with linespoints lc rgb "
            f"'{COLOURS[i % len(COLOURS)]}' dt {dt} pt {i + 1} lw 2 title 'c={c} {what}'"
            for i, c in enumerate(conns) for col, dt, what in ((2, 1, "workers"), (3, 2, "idle")))
        script = "\n".join([
            f"set title '{title}' noenhanced", "set xlabel 'seconds into the round'",
            "set ylabel 'worker processes'", "set grid", "set datafile missing '?'",
            "set key outside right top noenhanced", "set yrange [0:*]"]
            + _outputs(stem, plots)) + "\n"
        _plot(chart_dir, stem, title, script, made)
    return made
