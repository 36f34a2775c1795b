"""The idle-connections run: hold N keep-alive connections against one server, then measure
what they cost it (memory per connection) and what they do to a newcomer (latency of fresh
requests, each on a new connection).

Every idle connection sends one GET and reads its answer first, so it is a real idle
keep-alive connection, as a browser leaves behind; the server may also answer 503 (select past
FD_SETSIZE), close it, or never answer (a loop or a full prefork pool leaves it in the backlog).
Each outcome is counted and reported as observed. Runs in the orchestrator's process, pinned
to the client core; blocks for up to `deadline` seconds plus the fresh-request probes."""
import errno
import selectors
import socket
import time

PAGE = "/index.html"
REQUEST = f"GET {PAGE} HTTP/1.1\r\nHost: localhost\r\n\r\n".encode()
CONNECTING_AT_ONCE = 1000  # handshakes in flight; more only overflows the listen backlog


class _Conn:
    __slots__ = ("sock", "state", "buf")

    def __init__(self, sock):
        self.sock, self.state, self.buf = sock, "connecting", b""


def _status_if_complete(buf):
    """Status code once a whole response (head + Content-Length body) is in buf, else None."""
    head, sep, body = buf.partition(b"\r\n\r\n")
    if not sep:
        return None
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip() or 0)
    if len(body) < length:
        return None
    try:
        return int(head.split(b" ", 2)[1])
    except (IndexError, ValueError):
        return -1


class IdleClient:
    """Opens, then holds, n connections. outcomes: a count per final state."""

    def __init__(self, port, n):
        self.addr, self.n = ("127.0.0.1", port), n
        self.sel = selectors.EpollSelector()
        self.conns, self.outcomes = [], {}
        self.opened = 0

    def _count(self, key):
        self.outcomes[key] = self.outcomes.get(key, 0) + 1

    def _finish(self, c, key, keep=False):
        self.sel.unregister(c.sock)
        c.state = key
        if not keep:
            c.sock.close()
        self._count(key)

    def _open_more(self, connecting):
        while self.opened < self.n and connecting < CONNECTING_AT_ONCE:
            self.opened += 1
            s = socket.socket()
            s.setblocking(False)
            err = s.connect_ex(self.addr)
            if err not in (0, errno.EINPROGRESS):
                s.close()
                self._count(f"connect failed ({errno.errorcode.get(err, err)})")
                continue
            c = _Conn(s)
            self.conns.append(c)
            self.sel.register(s, selectors.EVENT_WRITE, c)
            connecting += 1
        return connecting

    def _on_event(self, c):
        if c.state == "connecting":
            err = c.sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
            if err:
                return self._finish(c, f"connect failed ({errno.errorcode.get(err, err)})")
            c.sock.send(REQUEST)
            c.state = "waiting"
            return self.sel.modify(c.sock, selectors.EVENT_READ, c)
        try:
            data = c.sock.recv(65536)
        except OSError:
            return self._finish(c, "reset by server")
        if not data:
            return self._finish(c, "closed by server before answering")
        c.buf += data
        status = _status_if_complete(c.buf)
        if status == 200:
            self._finish(c, "held", keep=True)
        elif status is not None:
            self._finish(c, f"answered {status}")

    def open(self, deadline_s):
        """Opens all n and waits for their answers until every one is settled or the deadline."""
        deadline = time.monotonic() + deadline_s
        while time.monotonic() < deadline:
            connecting = sum(1 for c in self.conns if c.state == "connecting")
            self._open_more(connecting)
            if self.opened == self.n and not self.sel.get_map():
                break
            for key, _ in self.sel.select(timeout=0.05):
                self._on_event(key.data)
        for c in self.conns:  # whatever is still unsettled at the deadline
            if c.state == "connecting":
                self._finish(c, "connect still pending (backlog full)", keep=True)
            elif c.state == "waiting":
                self._finish(c, "no answer (queued, not served)", keep=True)

    def still_open(self):
        """How many 'held' connections the server has not closed meanwhile."""
        n = 0
        for c in self.conns:
            if c.state != "held":
                continue
            try:
                if c.sock.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT) == b"":
                    continue
            except BlockingIOError:
                pass
            except OSError:
                continue
            n += 1
        return n

    def close(self):
        for c in self.conns:
            try:
                c.sock.close()
            except OSError:
                pass
        self.sel.close()


def fresh_requests(port, count=100, timeout=2.0, give_up_after=3):
    """Latency (ms) of `count` sequential requests, each on a new connection, and the outcomes
    of the failed ones. Stops after `give_up_after` failures: a server that cannot answer one
    fresh request will not answer a hundred."""
    req = f"GET {PAGE} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".encode()
    times, failures = [], {}
    for _ in range(count):
        t0 = time.perf_counter()
        outcome = _one_request(port, req, timeout)
        if outcome == 200:
            times.append((time.perf_counter() - t0) * 1000)
            continue
        failures[outcome] = failures.get(outcome, 0) + 1
        if sum(failures.values()) >= give_up_after:
            break
    return times, failures


def _one_request(port, req, timeout):
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
            s.sendall(req)
            buf = b""
            while (status := _status_if_complete(buf)) is None:
                chunk = s.recv(65536)
                if not chunk:
                    return "closed"
                buf += chunk
            return status
    except socket.timeout:
        return "timeout"
    except OSError as e:
        return errno.errorcode.get(e.errno, str(e))
