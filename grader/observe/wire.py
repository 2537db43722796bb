"""The reference server's I/O: accepts, reads, replies, and records what crossed the wire.

Strategy: everything is non-blocking and driven by the session's selector; this module never
waits on its own. Each connection gets a ``ServerSession`` (the pure protocol) and a list of
segments in arrival order. After the learner's process has ended, ``finish`` drains the accept
backlog and reads every connection to its end (FIN or RST): the kernel has closed the client
side by then, so this is bounded, and nothing is judged from a half-read socket. The server's
side of a connection is closed only then, never on the client's FIN. This is the one
place where socket errors of the server side are translated into records. In routed mode the
listener is on the host's loopback, so a connection is served only once the run has reported
its source port; any other is a stranger's and is closed unrecorded.
"""

from __future__ import annotations

import errno
import select
import selectors
import socket
import time
from collections.abc import Callable, Set

from grader.errors import GraderFault
from grader.observe.records import ConnectionEnd, ConnectionRecord, Segment, Transcript
from grader.problem.protocol import ServerSession

Handler = Callable[[], None]
READ_CHUNK = 65536

# What the learner's side can do to a connection: tear it down (a reset) or vanish. Any other
# error is on the server's own descriptor (EBADF, ENOTSOCK, EMFILE, ...): the grader's fault,
# never to be recorded as a learner's reset.
_PEER_ERRORS = frozenset(
    {
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.ECONNREFUSED,
        errno.EPIPE,
        errno.ETIMEDOUT,
        errno.ENOTCONN,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.EPROTO,
    }
)


def peer_failed(exc: OSError) -> None:
    """The one translation of server-side socket errors: return when the peer caused ``exc``,
    raise ``GraderFault`` when it is a failure of the grader's own socket."""
    if exc.errno in _PEER_ERRORS:
        return
    name = errno.errorcode.get(exc.errno or 0, str(exc.errno))
    raise GraderFault(f"the reference server's socket failed ({name}: {exc.strerror})") from exc


class _Connection:
    def __init__(
        self, index: int, sock: socket.socket, peer: tuple[str, int], session: ServerSession
    ):
        self.index = index
        self.sock = sock
        self.peer = peer
        # The server's side: the client's remote address and port.
        self.address, self.port = sock.getsockname()[:2]
        self.session = session
        self.segments: list[Segment] = []
        self.kept = 0
        self.dropped = 0
        self.end: ConnectionEnd | None = None
        self.outbox = b""
        self.opened_s = 0.0
        self.ended_s: float | None = None
        self.shut = False  # the server closed its side (its protocol said so)

    def record(self, open_at_kill: bool, ended_while_running: bool) -> ConnectionRecord:
        end: ConnectionEnd = "open" if open_at_kill else (self.end or "open")
        return ConnectionRecord(
            index=self.index,
            peer=self.peer[0],
            peer_port=self.peer[1],
            segments=tuple(self.segments),
            end=end,
            dropped=self.dropped,
            ended_while_running=ended_while_running,
            opened_s=self.opened_s,
            ended_s=None if end == "open" else self.ended_s,
        )


class WireRecorder:
    """The server side of one run."""

    def __init__(
        self,
        selector: selectors.BaseSelector,
        new_session: Callable[[], ServerSession],
        max_connections: int,
        max_bytes: int,
        reported_only: bool = False,
    ) -> None:
        self._sel = selector
        # Routed mode: the listener is on the host's loopback, where any program may connect;
        # a connection counts only once the run has reported its source port (``admit``).
        self._reported_only = reported_only
        self._reported: set[int] = set()
        self._parked: list[tuple[socket.socket, tuple[str, int]]] = []
        self._new_session = new_session
        self._max_connections = max_connections
        self._max_bytes = max_bytes
        self._listeners: list[socket.socket] = []
        self._conns: list[_Connection] = []
        self._over_cap = False
        self._open_at_kill: set[int] = set()
        self._finished = False
        self._ended_while_running: set[int] | None = None
        self._t0 = time.monotonic()  # segment times are relative to this: the run's start

    def _now(self) -> float:
        return round(time.monotonic() - self._t0, 4)

    # -- listening -------------------------------------------------------------------------
    def listen_on(self, listeners: list[socket.socket]) -> None:
        """Serve on these listening sockets (made by the grader or handed over from a namespace)."""
        for sock in listeners:
            sock.setblocking(False)
            self._listeners.append(sock)
            self._sel.register(sock, selectors.EVENT_READ, lambda s=sock: self._accept(s))

    def _accept(self, listener: socket.socket) -> None:
        while len(self._conns) < self._max_connections:
            try:
                sock, peer = listener.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                peer_failed(exc)
                return  # a connection reset while queued: it never reached the server
            sock.setblocking(False)
            if self._reported_only and peer[1] not in self._reported:
                if len(self._parked) >= self._max_connections:
                    sock.close()  # a stranger's flood: it costs no descriptors
                else:
                    self._parked.append((sock, peer[:2]))
                continue
            self._serve(sock, peer[:2])
        # At the cap, stop accepting: the backlog fills and further connects wait, so a flood of
        # connections costs the grader no descriptors.
        self._over_cap = True
        self._stop_listening()

    def _serve(self, sock: socket.socket, peer: tuple[str, int]) -> None:
        conn = _Connection(len(self._conns), sock, peer, self._new_session())
        conn.opened_s = self._now()
        self._conns.append(conn)
        self._sel.register(sock, selectors.EVENT_READ, lambda c=conn: self._read(c))
        for data in conn.session.opening():  # a server that speaks first
            conn.segments.append(Segment("out", data, self._now()))
            self._send(conn, data)

    def admit(self, ports: Set[int]) -> None:
        """The run reported these source ports: serve the connections that come from them."""
        self._reported |= ports
        waiting, self._parked = self._parked, []
        for sock, peer in waiting:
            if peer[1] in self._reported and len(self._conns) < self._max_connections:
                self._serve(sock, peer)
            else:
                self._parked.append((sock, peer))

    def _drop_strangers(self) -> None:
        for sock, _peer in self._parked:
            sock.close()
        self._parked.clear()

    def _stop_listening(self) -> None:
        for sock in self._listeners:
            self._sel.unregister(sock)
            sock.close()
        self._listeners.clear()

    # -- one connection --------------------------------------------------------------------
    def _read(self, conn: _Connection) -> None:
        if conn.end is not None:
            return  # an event of the same select() batch, for a connection already ended
        try:
            data = conn.sock.recv(READ_CHUNK)
        except (BlockingIOError, InterruptedError, TimeoutError):
            return
        except OSError as exc:  # ECONNRESET and kin: the client's side was torn down, not closed
            peer_failed(exc)
            self._ended(conn, "rst")
            return
        if not data:
            self._ended(conn, "fin")
            return
        room = self._max_bytes - conn.kept
        if room > 0:
            conn.segments.append(Segment("in", data[:room], self._now()))
            conn.kept += min(room, len(data))
        conn.dropped += max(0, len(data) - max(room, 0))
        for reply in conn.session.feed(data):
            conn.segments.append(Segment("out", reply, self._now()))
            self._send(conn, reply)

    def _send(self, conn: _Connection, data: bytes) -> None:
        conn.outbox += data
        try:
            sent = conn.sock.send(conn.outbox)
        except (BlockingIOError, InterruptedError):
            sent = 0
        except OSError as exc:
            peer_failed(exc)
            conn.outbox = b""  # the client is gone; what it missed is its own loss
            return
        conn.outbox = conn.outbox[sent:]
        if not conn.outbox and conn.session.closed and not conn.shut:
            conn.shut = True  # everything is sent: the server's FIN, as its protocol says
            try:
                conn.sock.shutdown(socket.SHUT_WR)
            except OSError as exc:
                peer_failed(exc)
        events = selectors.EVENT_READ | (selectors.EVENT_WRITE if conn.outbox else 0)
        self._sel.modify(conn.sock, events, lambda c=conn: self._ready(c))

    def _ready(self, conn: _Connection) -> None:
        if conn.end is not None:
            return
        if conn.outbox:
            self._send(conn, b"")
        self._read(conn)

    def _ended(self, conn: _Connection, how: ConnectionEnd) -> None:
        conn.end = how
        conn.ended_s = self._now()
        self._sel.unregister(conn.sock)
        if how == "rst":
            conn.sock.close()
        # After the client's FIN the server's side stays open until the run is over: the
        # client's socket then stays in the kernel's table for as long as anything still refers
        # to it (``grader.observe.sockets``), instead of ending in TIME_WAIT under our close.

    # -- the end of the run ----------------------------------------------------------------
    def note_kill(self) -> None:
        """The process is about to be killed: connections not yet ended were left open."""
        for conn in self._conns:
            # Read what is already queued: a FIN the program sent before it was stopped counts.
            while conn.end is None and self._readable_now(conn):
                self._read(conn)
        self._open_at_kill = {c.index for c in self._conns if c.end is None}
        if self._ended_while_running is None:
            self._ended_while_running = {c.index for c in self._conns if c.end is not None}

    @staticmethod
    def _readable_now(conn: _Connection) -> bool:
        poller = select.poll()  # not select(): descriptors may pass FD_SETSIZE in a big batch
        poller.register(conn.sock, select.POLLIN)
        return bool(poller.poll(0))

    def accept_pending(self) -> None:
        """Accept every connection waiting in the backlog now."""
        for listener in list(self._listeners):
            self._accept(listener)

    def endpoints(self) -> list[tuple[int, int, str, str]]:
        """(client port, server port, client address, server address) of every accepted
        connection: the client's side, seen from the kernel, has the client's port and address
        as its local ones and the server's as its remote ones."""
        return [(c.peer[1], c.port, c.peer[0], c.address) for c in self._conns]

    def settle(self, released_ports: set[int], deadline: float) -> None:
        """The program is held alive at exit (or about to be stopped): note what has ended.

        What already arrived is read now. A connection whose socket the kernel shows released
        must show its end (FIN or RST): the kernel queued it when the socket was closed, so
        waiting for it is bounded and costs nothing. One still held is not waited for.
        """
        self.accept_pending()
        for conn in self._conns:
            for _ in range(64):  # bounded: a thread of the script may still be sending
                if conn.end is not None or not self._readable_now(conn):
                    break
                self._read(conn)
            while conn.end is None and conn.peer[1] in released_ports:
                if time.monotonic() >= deadline:
                    break
                self._read_blocking(conn, deadline)
            # A socket dropped without close() (``del``, a function's end) sent its FIN when it
            # was collected; it is queued already: read it, so that "dropped" is told from
            # "left to the interpreter's exit" without a wait.
            while conn.end is None and self._readable_now(conn):
                self._read(conn)
        self._ended_while_running = {c.index for c in self._conns if c.end is not None}

    def finish(self, deadline: float) -> Transcript:
        """Drain what the ended process left behind and return the transcript."""
        for listener in list(self._listeners):
            self._accept(listener)
        self._stop_listening()
        self._drop_strangers()  # never reported by the run: another program's connections
        while any(c.end is None for c in self._conns) and time.monotonic() < deadline:
            for conn in self._conns:
                if conn.end is None:
                    self._read_blocking(conn, deadline)
        self._release()
        return Transcript(
            server_up=True,
            connections=tuple(
                c.record(
                    c.index in self._open_at_kill, c.index in (self._ended_while_running or ())
                )
                for c in self._conns
            ),
            over_cap=self._over_cap,
        )

    def _read_blocking(self, conn: _Connection, deadline: float) -> None:
        conn.sock.settimeout(max(0.0, deadline - time.monotonic()))
        try:
            self._read(conn)
        finally:
            if conn.end is None:
                conn.sock.setblocking(False)

    def _release(self) -> None:
        if self._finished:
            return
        self._finished = True
        self._stop_listening()
        self._drop_strangers()
        for conn in self._conns:
            if conn.end is None:
                self._sel.unregister(conn.sock)
            if conn.sock.fileno() >= 0:
                conn.sock.close()

    def abandon(self) -> None:
        """Close every socket still open (after ``finish``, or when the run itself failed)."""
        self._release()
