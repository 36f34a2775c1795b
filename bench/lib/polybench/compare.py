"""New against baseline. With --baseline-binary, bench/run measures every chosen model twice in
the same cells and the same interleaved rounds: MODEL (--binary, the binary under test) and
MODEL@baseline. This pairs the two cells and reports, per cell and metric, both medians, both
spreads and the ratio new / baseline.

A cell's verdict: `within` when |new / baseline - 1| is no more than the larger of the two
spreads ((max - min) / median of its rounds), that is, the binaries differ by no more than
one binary's rounds differ among themselves in this run; otherwise `better` or `worse` (both
metrics are higher-is-better). One round has no spread, so no verdict.

Called by bench/run and report_md after the matrix; pure functions of the cell dicts."""
import math
import statistics

from . import aggregate, measure

SUFFIX = "@baseline"
# (metric, title); the first is the headline (issue 13: requests per server CPU-second)
METRICS = (("req_per_cpu_s", "requests per server CPU-second"), ("rps", "requests/s"))


def baseline_name(model):
    return model + SUFFIX


def pairs(cells):
    """[(new cell, baseline cell)], in the order the new cells first appear."""
    by_key = {tuple(c.get(k, "") for k in aggregate.KEY): c for c in cells}
    out = []
    for c in cells:
        if c["kind"] != "model" or c["server"].endswith(SUFFIX):
            continue
        rest = tuple(c.get(k, "") for k in aggregate.KEY[1:])
        old = by_key.get((baseline_name(c["server"]),) + rest)
        if old is not None:
            out.append((c, old))
    return out


def judge(new, old, key):
    """One metric of one pair: medians, spreads (%), ratio, verdict."""
    n, o = new.get(key), old.get(key)
    ratio = n / o if n and o else None
    spreads, verdict = (None, None), "–"
    if ratio is not None and min(new["rounds"], old["rounds"]) >= 2:  # one round: no spread
        spreads = (aggregate.spread_pct(new, key), aggregate.spread_pct(old, key))
        change = (ratio - 1) * 100
        verdict = ("within" if abs(change) <= max(spreads) else
                   "better" if change > 0 else "worse")
    return {"new": n, "baseline": o, "new_spread_pct": spreads[0],
            "baseline_spread_pct": spreads[1], "ratio": ratio, "verdict": verdict}


def rows(cells):
    """One flat dict per pair, for comparison.csv."""
    out = []
    for new, old in pairs(cells):
        row = {"server": new["server"], "kind": "model", "file": new["file"],
               "connections": new["connections"], "keepalive": new["keepalive"],
               "tls": new.get("tls", ""), "handshakes": new.get("handshakes", ""),
               "rounds": min(new["rounds"], old["rounds"])}
        for key, _ in METRICS:
            row |= {f"{key}_{k}": v for k, v in judge(new, old, key).items()}
        out.append(row)
    return out


def _pct(v):
    return "–" if v is None else f"±{v:.1f}%"


def _num(v):
    return "–" if v is None else f"{v:,.0f}"


def table(cells, key, noisy_pct):
    """Markdown rows: model × file × mode × connections, both medians, spreads, ratio; † on a
    pair of which either cell was disturbed by other work past noisy_pct (--max-noise)."""
    out = ["| model | file | mode | c | new | spread | baseline | spread | new/baseline | verdict |",
           "|---|---|---|---:|---:|---:|---:|---:|---:|---|"]
    for new, old in pairs(cells):
        j = judge(new, old, key)
        mode = aggregate.mode(new)
        ratio = "–" if j["ratio"] is None else f"{j['ratio']:.3f}"
        if max(measure.noise_pct(new), measure.noise_pct(old)) > noisy_pct:
            ratio += " †"
        out.append(f"| {new['server']} | {new['file']} | {mode} | {new['connections']} "
                   f"| {_num(j['new'])} | {_pct(j['new_spread_pct'])} | {_num(j['baseline'])} "
                   f"| {_pct(j['baseline_spread_pct'])} | {ratio} | {j['verdict']} |")
    return out


def summary(cells, key):
    """One sentence: verdict counts, the geometric mean of the ratios, the run's typical spread."""
    judged = [judge(n, o, key) for n, o in pairs(cells)]
    ratios = [j["ratio"] for j in judged if j["ratio"]]
    if not ratios:
        return "no pair of cells produced numbers."
    counts = {v: sum(1 for j in judged if j["verdict"] == v) for v in ("within", "better", "worse")}
    spreads = [s for j in judged for s in (j["new_spread_pct"], j["baseline_spread_pct"])
               if s is not None]
    geo = math.exp(sum(math.log(r) for r in ratios) / len(ratios))
    text = (f"{len(judged)} cells: {counts['within']} within the spread, {counts['better']} "
            f"better, {counts['worse']} worse; geometric mean of new/baseline {geo:.3f}")
    if spreads:
        text += (f"; the run's spreads: median {statistics.median(spreads):.1f}%, "
                 f"largest {max(spreads):.1f}%")
    else:
        text += "; one round per cell: no spread, no verdict"
    return text + "."


def section(cells, binaries, noisy_pct):
    """The results.md section, or [] when the run had no baseline."""
    if not pairs(cells):
        return []
    out = ["## New against baseline", "",
           f"new: `{binaries[0]}`; baseline: `{binaries[1]}` (their versions and trees are in "
           "the stamp above). Both ran in the same cells, their rounds interleaved; every other "
           "round runs the servers in reverse order, so a drift during a cell lands on both. "
           "`spread` is (max − min) / median of a cell's rounds; the verdict is `within` when "
           "|new/baseline − 1| is no more than the larger of the two spreads; † marks a pair "
           "disturbed by other work (see Method).", ""]
    for key, title in METRICS:
        out += [f"**{title}**", "", summary(cells, key), ""] + table(cells, key, noisy_pct) + [""]
    return out


def print_headline(cells, noisy_pct, stream):
    """The headline metric's comparison on stdout, as the markdown table (pasteable)."""
    key, title = METRICS[0]
    print(f"\nnew against baseline, {title} (median of rounds):", file=stream)
    print("\n".join(table(cells, key, noisy_pct)), file=stream)
    print(summary(cells, key), file=stream)
