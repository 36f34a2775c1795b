"""The progress line: "[12/80] epoll-et c=64 679B keep-alive round 2/3 ... ETA 14m05s".

On a terminal the line is rewritten in place; in a log (CI) each step gets its own line."""
import sys
import time


def fmt_duration(seconds):
    seconds = int(max(0, seconds))
    h, rest = divmod(seconds, 3600)
    m, s = divmod(rest, 60)
    return f"{h}h{m:02d}m" if h else f"{m}m{s:02d}s"


class Progress:
    """total: steps planned; step_estimate: a priori seconds per step, used until one is done;
    extra: seconds of work after the steps (the idle run), counted into the ETA."""

    def __init__(self, total, step_estimate, extra=0.0, stream=sys.stderr):
        self.total, self.done = total, 0
        self.estimate, self.extra = step_estimate, extra
        self.start = time.monotonic()
        self.paused = 0.0  # time spent waiting for quiet cores: not a step's cost
        self.stream = stream
        self.tty = stream.isatty()

    def eta(self):
        elapsed = time.monotonic() - self.start - self.paused
        per_step = elapsed / self.done if self.done else self.estimate
        return per_step * (self.total - self.done) + self.extra

    def step(self, text):
        """Announces the step about to run."""
        line = f"[{self.done + 1}/{self.total}] {text} ... ETA {fmt_duration(self.eta())}"
        if self.tty:
            self.stream.write("\r\033[K" + line)
        else:
            self.stream.write(line + "\n")
        self.stream.flush()

    def finish_step(self, result_text):
        self.done += 1
        if self.tty:
            self.stream.write("  " + result_text + "\n")
        else:
            self.stream.write("    -> " + result_text + "\n")
        self.stream.flush()

    def note(self, text):
        self.stream.write(("\r\033[K" if self.tty else "") + text + "\n")
        self.stream.flush()

    def elapsed(self):
        return time.monotonic() - self.start
