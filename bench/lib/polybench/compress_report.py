"""The compressed cell in results.md and on stdout: per file and connection count, every server
with and without Accept-Encoding, its requests per server CPU-second and the ratio to polyhttpd's
identity answer of the same file in the same rounds; then issue 16's target, per model: a
cached compressed variant at 90 % or more of the requests per CPU-second of the uncompressed
file.

Called by bench/run and report_md after the matrix; pure functions of the cell dicts."""
from . import aggregate, measure

TARGET = 0.90  # issue 16: compressed (cached) / identity, requests per server CPU-second


def _cells(cells):
    return [c for c in cells if c.get("accept_encoding") or _paired(cells, c)]


def _paired(cells, cell):
    """An identity cell belongs to the compressed cell when the same server has the same file
    and c with Accept-Encoding too (or was skipped there)."""
    return any(o.get("accept_encoding") and o["server"] == cell["server"]
               and o["file"] == cell["file"] and o["connections"] == cell["connections"]
               for o in cells)


def _slices(cells):
    return list(dict.fromkeys((c["file"], c["connections"]) for c in cells))


def _identity(chosen, server):
    return next((c for c in chosen if c["server"] == server and not c.get("accept_encoding")),
                None)


def _reference(chosen):
    """polyhttpd's identity cell: the first model measured without Accept-Encoding."""
    return next((c for c in chosen if c["kind"] == "model" and not c.get("accept_encoding")
                 and c["rounds"]), None)


def _eff(cell, noisy_pct):
    if not cell["rounds"]:
        return "not measured: " + cell["error"]
    sp = aggregate.spread_pct(cell, "req_per_cpu_s")
    mark = " †" if measure.noise_pct(cell) > noisy_pct else ""
    return f"{cell['req_per_cpu_s']:,.0f}" + (f" ±{sp:.0f}%" if sp is not None else "") + mark


def table(cells, file, conns, noisy_pct):
    chosen = [c for c in _cells(cells) if c["file"] == file and c["connections"] == conns]
    ref = _reference(chosen)
    out = [f"**{file}, keep-alive, c={conns}**", "",
           "| server | Accept-Encoding | Content-Encoding | body bytes | req/CPU-s (median) "
           "| req/s | × polyhttpd identity |", "|---|---|---|---:|---:|---:|---:|"]
    for c in chosen:
        ratio = ""
        if ref and c["rounds"] and c.get("req_per_cpu_s"):
            ratio = f"{c['req_per_cpu_s'] / ref['req_per_cpu_s']:.2f}"
        body = f"{int(c['body_bytes']):,}" if c.get("body_bytes") not in (None, "") else "–"
        rps = f"{c['rps']:,.0f}" if c["rounds"] and c.get("rps") else "–"
        out.append(f"| {c['server']} | {c.get('accept_encoding') or '–'} "
                   f"| {c.get('content_encoding') or '–'} | {body} | {_eff(c, noisy_pct)} "
                   f"| {rps} | {ratio} |")
    return out + [""]


def targets(cells):
    """Per model, file and c: compressed / identity of the same server, against TARGET."""
    out = []
    mine = _cells(cells)
    for file, conns in _slices(mine):
        chosen = [c for c in mine if c["file"] == file and c["connections"] == conns]
        for c in chosen:
            if c["kind"] != "model" or not c.get("accept_encoding") or not c["rounds"]:
                continue
            ident = _identity(chosen, c["server"])
            if not ident or not ident["rounds"]:
                continue
            ratio = c["req_per_cpu_s"] / ident["req_per_cpu_s"]
            verdict = "met" if ratio >= TARGET else "NOT met"
            out.append(f"- {c['server']}, {file}, c={conns}: {c['content_encoding']} variant at "
                       f"{ratio:.2f} × identity in requests per CPU-second (target "
                       f"≥ {TARGET:.2f}): {verdict}")
    return out


def _tables(cells, noisy_pct):
    out = []
    for file, conns in _slices(_cells(cells)):
        out += table(cells, file, conns, noisy_pct)
    return out + ["Issue 16's target:", ""] + targets(cells) + [""]


def section(cells, noisy_pct):
    """The results.md section, or [] when the run had no compressed cell."""
    if not _cells(cells):
        return []
    out = ["## Compressed cell", "",
           "Each server compressing (bench/lib/polybench/compressed.py: polyhttpd's variant "
           "cache, nginx `gzip on` compressing every request, lighttpd mod_deflate with its "
           "cache directory, h2o `compress: ON` every request), the same file asked for without "
           "and with Accept-Encoding in the same interleaved rounds. Body bytes: what the check "
           "before measuring received (decoded and compared with the file); † a cell disturbed "
           "by other work (see Method).", ""]
    return out + _tables(cells, noisy_pct)


def print_summary(cells, noisy_pct, stream):
    if _cells(cells):
        print("\ncompressed cell, requests per server CPU-second (median of rounds):\n",
              file=stream)
        print("\n".join(_tables(cells, noisy_pct)), file=stream)
