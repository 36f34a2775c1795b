"""The matrix at a glance, in the shape RESULTS.md's reading needs (issue 18): per plain cell
(file x keep-alive x connections) the best polyhttpd model and the best reference server in
requests per server CPU-second, their ratio, and each one's ratio to the floor; then the idle
memory per connection of every server. Also the per-server ratio to the floor that the slice
tables and the stdout summary show.

"Best reference" is the best of the servers a user could run instead (nginx, lighttpd, h2o):
the floor and the yardstick are canned responders, measuring sticks, shown as ratios only.
A MODEL@baseline row (--baseline-binary) is not a candidate for the best model. Pure functions
of aggregate.summarize()'s cells; called by report_md and bench/run at the end of a run."""
from . import compare, servers

FLOOR = "floor"


def _eff(cell):
    return cell.get("req_per_cpu_s") if cell and cell.get("rounds") else None


def _plain(cells):
    return [c for c in cells if not c.get("tls") and not c.get("accept_encoding")]


def _key(cell):
    return (cell["file"], cell["keepalive"], cell["connections"])


def floor_of(cells):
    """(file, keepalive, connections) -> the floor's requests per server CPU-second."""
    return {_key(c): _eff(c) for c in _plain(cells) if c["server"] == FLOOR and _eff(c)}


def to_floor(cell, floors):
    """This cell's requests per CPU-second as a multiple of the floor's in the same cell, or
    None (no floor there, or a TLS or compressed cell, which the floor does not serve)."""
    if cell.get("tls") or cell.get("accept_encoding"):
        return None
    base, eff = floors.get(_key(cell)), _eff(cell)
    return eff / base if base and eff else None


def ratio_text(ratio):
    return f"{ratio:.2f}×" if ratio is not None else "–"


def _best(cells, pick):
    chosen = [c for c in cells if pick(c) and _eff(c)]
    return max(chosen, key=_eff) if chosen else None


def _is_model(c):
    return c["kind"] == "model" and not c["server"].endswith(compare.SUFFIX)


def _is_rival(c):
    return c["kind"] == "reference" and c["server"] not in servers.STICKS


def _named(cell):
    return f"{cell['server']} {_eff(cell):,.0f}" if cell else "–"


def rows(cells):
    """One dict per plain cell, in plan order: the best model and reference and the ratios."""
    plain, floors = _plain(cells), floor_of(cells)
    out = []
    for key in dict.fromkeys(_key(c) for c in plain):
        here = [c for c in plain if _key(c) == key]
        model, rival = _best(here, _is_model), _best(here, _is_rival)
        yard = next((c for c in here if c["server"] == "yardstick"), None)
        out.append({
            "file": key[0], "keepalive": key[1], "connections": key[2],
            "model": model, "rival": rival,
            "lead": _eff(model) / _eff(rival) if model and rival else None,
            "model_floor": to_floor(model, floors) if model else None,
            "rival_floor": to_floor(rival, floors) if rival else None,
            "yardstick_floor": to_floor(yard, floors) if yard else None,
            "floor": floors.get(key),
        })
    return out


def lines(cells):
    """The markdown table; empty when there is nothing to compare."""
    table = rows(cells)
    if not any(r["model"] or r["rival"] for r in table):
        return []
    out = ["## At a glance", "",
           "Requests per server CPU-second (median of rounds) of the best polyhttpd model and "
           "of the best of nginx, lighttpd and h2o in each cell; model ÷ reference (at or above "
           "1.00×: the cell is not lost); and each one's ratio to the floor (bench/floor.c: "
           "the least this kernel lets a server spend on the request, 1.00× = as cheap as the "
           "floor).", "",
           "| file | mode | c | best model | best reference | model ÷ reference "
           "| model × floor | reference × floor | yardstick × floor | floor |",
           "|---|---|---:|---|---|---:|---:|---:|---:|---:|"]
    for r in table:
        mode = "keep-alive" if r["keepalive"] == "on" else "close"
        floor = f"{r['floor']:,.0f}" if r["floor"] else "–"
        out.append(f"| {r['file']} | {mode} | {r['connections']} | {_named(r['model'])} "
                   f"| {_named(r['rival'])} | {ratio_text(r['lead'])} "
                   f"| {ratio_text(r['model_floor'])} | {ratio_text(r['rival_floor'])} "
                   f"| {ratio_text(r['yardstick_floor'])} | {floor} |")
    return out + [""]


def idle_memory_lines(idle_results):
    """Per server, KiB of memory per idle keep-alive connection (issue 18's target: 1 KiB or
    less for the event models)."""
    held = [r for r in idle_results if not r.get("error") and r.get("pss_per_conn_kib") is not None]
    if not held:
        return []
    out = ["**Memory per idle keep-alive connection (KiB; the idle run)**", "",
           "| server | connections held | PSS / conn | RSS / conn |", "|---|---:|---:|---:|"]
    for r in held:
        out.append(f"| {r['server']} | {r['held']:,} | {r['pss_per_conn_kib']:.2f} "
                   f"| {r['rss_per_conn_kib']:.2f} |")
    return out + [""]


def print_summary(cells, idle_results, stream):
    text = lines(cells) + idle_memory_lines(idle_results)
    if text:
        print("\n" + "\n".join(text), file=stream)
