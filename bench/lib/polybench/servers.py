"""The servers under test: every polyhttpd model, the floor, the yardstick, and nginx, lighttpd
and h2o when installed. A Spec knows how to write its config and build its command line; a Running
server is one started process tree pinned to the server core, in its own session so that
stop() can end exactly that tree.

Used from the orchestrator's main thread; start() and stop() block for at most a few seconds."""
import os
import shutil
import signal
import subprocess
import time

from . import compressed, httpget, pool, system, tls as tlsconf

BENCH_DIR = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CONF_DIR = os.path.join(BENCH_DIR, "conf")
REFERENCES = ("floor", "yardstick", "nginx", "lighttpd", "h2o")
# Measuring sticks, not competitors: the canned responders. "The best reference" of a cell is
# the best of the others (the servers a user could run instead).
STICKS = ("floor", "yardstick")

# Extra flags per model by default (recorded in every result). None: every model runs with its
# own defaults, prefork with its adaptive pool (issue 17), which is what a user gets; a fixed
# pool is one --model-args 'prefork=--workers 64' away.
DEFAULT_MODEL_ARGS = {}
# Same generosity as the reference configs (keep-alive 300 s), room for the idle run, quiet.
POLYHTTPD_ARGS = ["--access-log", "off", "--log-level", "warn", "--keepalive-timeout", "300s",
                  "--shutdown-timeout", "1s", "--max-connections", "20000"]


class Spec:
    """name: as shown in tables; kind: 'model' or 'reference'; args: extra args shown in results.
    build_cmd(port, root, tmp, tls, compress) gets tls None for plain HTTP, else a tls.Setup,
    and compress True for the compressed cell (compressed.py: each server's settings); a sized
    spec's build_cmd also gets the body size of the cell's file (a canned responder)."""

    def __init__(self, name, kind, build_cmd, args=(), only_files=None, speaks_tls=True,
                 compresses=True, pooled=False, sized=False):
        self.name, self.kind, self.args = name, kind, list(args)
        self.pooled = pooled  # a prefork pool: its size is sampled while measured (pool.py)
        self.only_files = only_files  # None: serves the whole root
        self.sized = sized
        self.speaks_tls = speaks_tls
        self.compresses = compresses  # can take part in the compressed cell
        self._build_cmd = build_cmd

    def serves(self, cell):
        """cell: a runner.Cell (its file, and its certificate kind when it is a TLS cell)."""
        if (cell.tls and not self.speaks_tls) or (cell.compress and not self.compresses):
            return False
        return self.only_files is None or cell.file in self.only_files

    def command(self, port, root, tmp, tls=None, compress=False, body_bytes=679):
        if self.sized:
            return self._build_cmd(port, root, tmp, tls, compress, body_bytes)
        return self._build_cmd(port, root, tmp, tls, compress)


def _render(template, tmp, **values):
    with open(os.path.join(CONF_DIR, template)) as f:
        text = f.read()
    for key, value in values.items():
        text = text.replace(f"@{key}@", str(value))
    path = os.path.join(tmp, template[: -len(".in")])
    with open(path, "w") as f:
        f.write(text)
    return path


def _nginx(port, root, tmp, tls, compress):
    for d in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        os.makedirs(os.path.join(tmp, d), exist_ok=True)
    user = "user root;" if os.geteuid() == 0 else ""
    conf = _render("nginx.conf.in", tmp, PORT=port, ROOT=root, TMP=tmp, USER_LINE=user,
                   SSL=" ssl" if tls else "", TLS=tlsconf.nginx_directives(tls) if tls else "",
                   COMPRESS=compressed.NGINX if compress else "")
    return ["nginx", "-p", tmp + "/", "-e", os.path.join(tmp, "error.log"), "-c", conf]


def _lighttpd(port, root, tmp, tls, compress):
    conf = _render("lighttpd.conf.in", tmp, PORT=port, ROOT=root, TMP=tmp,
                   TLS=tlsconf.lighttpd_lines(tls) if tls else "",
                   COMPRESS=compressed.lighttpd_lines(tmp) if compress else "")
    return ["lighttpd", "-D", "-f", conf]


def _h2o(port, root, tmp, tls, compress):
    user = "user: root" if os.geteuid() == 0 else ""
    conf = _render("h2o.conf.in", tmp, PORT=port, ROOT=root, TMP=tmp, USER_LINE=user,
                   TLS=tlsconf.h2o_lines(tls) if tls else "",
                   COMPRESS=compressed.H2O if compress else "")
    return ["h2o", "-c", conf]


def model_spec(binary, model, extra, name=None):
    """name: the label in results (default: the model; MODEL@baseline for a second binary).
    A pooled model also gets the metrics page, whose scoreboard pool.PoolSampler reads."""
    pooled = model in pool.POOLED
    if pooled:
        extra = extra + ["--status-path", pool.STATUS_PATH]
    args = POLYHTTPD_ARGS + extra

    def build(port, root, tmp, tls, compress):
        if tls:
            listen = tlsconf.polyhttpd_args(tls, port, system.free_port())
        else:
            listen = ["--listen", f"127.0.0.1:{port}"]
        more = compressed.POLYHTTPD_ARGS if compress else []
        return [binary, "--model", model] + listen + ["--root", root] + args + more

    return Spec(name or model, "model", build, extra,
                compresses=compressed.binary_compresses(binary), pooled=pooled)


def yardstick_spec(binary, body_bytes=679):
    # It answers every request with the page's size, so it only takes part in 679B cells; it
    # has no TLS.
    return Spec("yardstick", "reference",
                lambda port, root, tmp, tls, compress: [binary, str(port), str(body_bytes)],
                only_files={"679B"}, speaks_tls=False, compresses=False)


def floor_spec(binary):
    # Told each cell's body size, so it takes part in every plain cell, keep-alive and close;
    # no TLS, no compression.
    return Spec("floor", "reference",
                lambda port, root, tmp, tls, compress, body: [binary, str(port), str(body)],
                speaks_tls=False, compresses=False, sized=True)


def reference_specs(names, yardstick_bin, floor_bin=None):
    """Specs for the requested reference servers that are installed (the floor: built), and
    the names skipped."""
    builders = {"nginx": _nginx, "lighttpd": _lighttpd, "h2o": _h2o}
    specs, skipped = [], []
    for name in names:
        if name == "yardstick":
            specs.append(yardstick_spec(yardstick_bin))
        elif name == "floor":
            if floor_bin:
                specs.append(floor_spec(floor_bin))
            else:
                skipped.append(name)
        elif shutil.which(name):
            specs.append(Spec(name, "reference", builders[name], compresses=(
                name != "lighttpd" or compressed.lighttpd_has_deflate())))
        else:
            skipped.append(name)
    return specs, skipped


def probe(port, path, timeout=5.0):
    """One GET with Connection: close; returns (status, body bytes received) or (None, 0)."""
    status, _, body = httpget.exchange(port, path, timeout=timeout)
    return status, len(body)


class Running:
    """A started server. pid is the tree's root (taskset execs the server in place)."""

    def __init__(self, spec, port, root, tmp, cpu, log_path, tls=None, compress=False,
                 body_bytes=679):
        self.spec, self.port, self.tmp, self.tls = spec, port, tmp, tls
        self.sent = {}  # compressed cell -> (Content-Encoding, body bytes): compressed.check
        self.skipped = set()  # cells it must not be measured in (it sent identity...)
        os.makedirs(tmp, exist_ok=True)
        self.cmd = system.taskset(cpu, spec.command(port, root, tmp, tls, compress, body_bytes))
        self.log_path = log_path
        with open(log_path, "ab") as log:
            log.write(("$ " + " ".join(self.cmd) + "\n").encode())
            self.proc = subprocess.Popen(self.cmd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, start_new_session=True)
        self.pid = self.proc.pid
        system.renice_autogroup(self.pid)  # its own session, so its own autogroup

    def wait_ready(self, path, want_len, limit=10.0):
        """Waits for a correct answer (200 and the full body); raises if none comes in time."""
        deadline = time.monotonic() + limit
        why = ""
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if self.tls:
                status, got, why = tlsconf.probe(self.port, path, timeout=2.0)
            else:
                status, got = probe(self.port, path, timeout=2.0)
            if status == 200 and got == want_len:
                return
            time.sleep(0.1)
        self.stop()
        over = " over TLS" + (f" ({why})" if why else "") if self.tls else ""
        raise RuntimeError(f"{self.spec.name} did not serve {path} correctly{over}; "
                           f"see {self.log_path}")

    def stop(self, grace=5.0):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        try:  # whatever is left of this tree (a worker, a fork child) goes with its session
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        self.proc.wait()
        self._keep_error_log()

    def _keep_error_log(self):
        """Reference servers log into the temp dir, which goes away: keep what they said."""
        path = os.path.join(self.tmp, "error.log")
        if os.path.exists(path) and os.path.getsize(path) > 0:
            with open(path, "rb") as src, open(self.log_path, "ab") as dst:
                dst.write(src.read())
