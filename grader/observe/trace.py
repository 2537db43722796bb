"""Reads the control channel: what the script's interpreter reported (see ``grader.sandbox``).

Strategy: the channel is a SEQPACKET socket, one report a datagram. The script shares a process
with the sandbox code and can write to the channel too, so every report is parsed strictly,
through one table (``REPORTS``: kind -> field count, parser; the phases a kind may arrive in),
and anything the sandbox never sends (an unknown kind, a wrong field count, a port that is not
ASCII decimal in range, a report out of order, a close report no honest hook sequence gives,
descriptors attached, a datagram too long) is recorded as tampering, never raised. Stored
reports are bounded in number; every datagram is still checked. Nothing here decides a verdict
for the better: the lifecycle (the exit, its status) comes from the run's supervisor on the
status channel (``grader.observe.process``), never from this one.

Reports, tab-separated UTF-8 (written by ``grader.sandbox.hooks`` and ``grader.sandbox.script``):
  ``S``                            the script starts
  ``N host port outcome lport``    a connect call (``lport`` empty when nothing is under way)
  ``C lport how line eline col ecol``  a traced socket is closed (see ``SocketClose``)
  ``E kind exc_type detail``       how the body ended: ok, exception, exit
"""

from __future__ import annotations

import array
import fcntl
import select
import socket
import sys
import termios
import time
from collections.abc import Callable
from dataclasses import dataclass

from grader.observe.records import (
    ClientTrace,
    CloseHow,
    ConnectAttempt,
    ScriptEnd,
    SocketClose,
    SourcePosition,
    Tampering,
)

MAX_REPORTS = 2000  # connect and close reports kept; later ones are checked, not kept
MAX_DATAGRAM = 3000  # bytes: the sandbox cuts its reports to this
MAX_FIELD = 500  # characters of one field: the sandbox cuts its fields to this
MAX_TAMPERING = 5  # tampering datagrams kept as examples (all are counted)
MAX_FDS = 4
_FD_SPACE = socket.CMSG_SPACE(MAX_FDS * array.array("i").itemsize)
_RECV = MAX_DATAGRAM + 1  # one more byte than a report may have: a longer datagram shows

# The phases of a run as the channel tells them, in order.
SETUP, RUNNING, ENDED = "setup", "running", "ended"


class Malformed(Exception):
    """A report that the sandbox never sends; the message says what is wrong with it."""


Record = ConnectAttempt | SocketClose | ScriptEnd | None


def _port(text: str) -> int:
    """A TCP port written as the sandbox writes it: ASCII decimal, 1-65535, no padding."""
    if not (text.isascii() and text.isdigit() and len(text) <= 5 and text == str(int(text))):
        raise Malformed("a port that is not a plain decimal number")
    port = int(text)
    if not 1 <= port <= 65535:
        raise Malformed("a port out of range")
    return port


def _number(text: str) -> int | None:
    if text == "":
        return None
    if not (text.isascii() and text.isdigit() and len(text) <= 7 and text == str(int(text))):
        raise Malformed("a source position that is not a plain decimal number")
    return int(text)


def _name(text: str) -> str:
    if text and not (text.isidentifier() and len(text) <= 200):
        raise Malformed("an exception name that is not a name")
    return text


def _nothing(_fields: list[str]) -> Record:
    return None


def _attempt(fields: list[str]) -> Record:
    host, port, outcome, lport = fields
    if not (
        outcome == "connected"
        or (outcome.startswith("errno ") and _number(outcome[6:]) is not None)
        or (outcome and _name(outcome) == outcome)
    ):
        raise Malformed("an unknown connect outcome")
    return ConnectAttempt(host, port, outcome, _port(lport) if lport else None)


_HOW: dict[str, CloseHow] = {"close": "close", "exit": "exit", "with": "with", "detach": "detach"}
# The close reports an honest run sends for one socket: one close() (or __exit__ by hand), or
# a with block's end, or one of those first and then the end of the with block it was inside.
_CLOSE_SEQUENCES = frozenset(
    {("close",), ("exit",), ("with",), ("detach",), ("close", "with"), ("exit", "with")}
)


def _close(fields: list[str]) -> Record:
    lport, how, *where = fields
    if how not in _HOW:
        raise Malformed("an unknown way of closing")
    line, end_line, col, end_col = (_number(f) for f in where)
    at = None if line is None else SourcePosition(line, end_line, col, end_col)
    return SocketClose(_port(lport), _HOW[how], at)


def _end(fields: list[str]) -> Record:
    kind, exc_type, detail = fields
    if kind == "ok" and not exc_type and not detail:
        return ScriptEnd("ok")
    if kind == "exit" and exc_type in ("SystemExit", "_exit"):
        return ScriptEnd("exit", exc_type, detail)
    if kind == "exception" and exc_type and _name(exc_type):
        return ScriptEnd("exception", exc_type, detail)
    raise Malformed("an unknown way of ending")


@dataclass(frozen=True)
class Kind:
    """A row of the report table: its fields, its parser, and when it may arrive."""

    fields: int
    parse: Callable[[list[str]], Record]
    phases: frozenset[str]
    then: str | None = None  # the phase it leads to


REPORTS: dict[str, Kind] = {
    "S": Kind(0, _nothing, frozenset({SETUP}), RUNNING),
    "N": Kind(4, _attempt, frozenset({RUNNING, ENDED})),
    "C": Kind(6, _close, frozenset({RUNNING, ENDED})),
    "E": Kind(3, _end, frozenset({RUNNING}), ENDED),
}


class TraceReader:
    """Collects reports from the sandbox; ``record()`` freezes them into a ClientTrace."""

    def __init__(self, channel: socket.socket) -> None:
        self.channel = channel
        self._sequences: dict[int, tuple[str, ...]] = {}  # port -> its close reports' hows
        self._phase = SETUP
        self._attempts: list[ConnectAttempt] = []
        self._closes: list[SocketClose] = []
        self._traced: set[int] = set()
        self._end: ScriptEnd | None = None
        self._kept = 0
        self._tampering: list[Tampering] = []
        self._tampering_count = 0
        self.closed = False
        self.started_at: float | None = None  # when the script's body began (its "S")

    def on_readable(self) -> bool:
        """Read one report; return False once the channel has ended."""
        try:
            data, ancdata, flags, _addr = self.channel.recvmsg(_RECV, _FD_SPACE)
        except BlockingIOError:
            return True
        except OSError:  # reset, or the time-out of the final drain: the channel's end
            self.closed = True
            return False
        fds = _take_fds(ancdata)
        if not data and not fds:
            if self._peer_gone():
                self.closed = True
                return False
            return True
        for fd in fds:  # descriptors the script smuggled in: not ours to keep
            socket.close(fd)
        if fds:
            self._tamper("descriptors sent with a report", data)
        elif flags & (socket.MSG_TRUNC | socket.MSG_CTRUNC) or len(data) > MAX_DATAGRAM:
            self._tamper("a report longer than any the grader's sandbox sends", data)
        else:
            self.feed(data)
        return True

    def _peer_gone(self) -> bool:
        """An empty read is the channel's end, unless the script sent an empty datagram.

        While the sender lives, an empty read can only be an empty datagram. Once it has gone,
        every read is empty at the end, and empty datagrams it sent are skipped: the end is when
        no byte is queued any more (the kernel's count), else a datagram follows them.
        """
        poller = select.poll()
        poller.register(self.channel, select.POLLRDHUP)
        if not any(e & (select.POLLRDHUP | select.POLLHUP) for _f, e in poller.poll(0)):
            self._tamper("an empty datagram", b"")
            return False
        while _queued(self.channel):
            try:
                if self.channel.recv(1, socket.MSG_PEEK | socket.MSG_DONTWAIT):
                    self._tamper("an empty datagram", b"")
                    return False  # what follows is read as usual
                self.channel.recv(1, socket.MSG_DONTWAIT)  # an empty datagram before it
            except OSError:
                return True
        return True

    def feed(self, data: bytes) -> None:
        """Parse one datagram (no descriptors) against the table; tampering is recorded."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            self._tamper("a report that is not UTF-8 text", data)
            return
        kind_name, *fields = text.split("\t")
        kind = REPORTS.get(kind_name)
        if kind is None:
            self._tamper("a report of a kind the grader's sandbox never sends", data)
            return
        if len(fields) != kind.fields or any(len(f) > MAX_FIELD for f in fields):
            self._tamper("a report with the wrong number or size of fields", data)
            return
        if self._phase not in kind.phases:
            self._tamper(f"a report out of order ({kind_name} while {self._phase})", data)
            return
        try:
            record = kind.parse(fields)
        except Malformed as exc:
            self._tamper(str(exc), data)
            return
        if isinstance(record, SocketClose):
            if record.local_port not in self._traced:
                self._tamper("a close report for a socket that was never connected", data)
                return
            sequence = self._sequences.get(record.local_port, ()) + (record.how,)
            if sequence not in _CLOSE_SEQUENCES:
                self._tamper("a close report for a socket closed already", data)
                return
            self._sequences[record.local_port] = sequence
        if kind.then is not None:
            self._phase = kind.then
            if kind_name == "S":
                self.started_at = time.monotonic()
        self._keep(record)

    def _keep(self, record: Record) -> None:
        if isinstance(record, ScriptEnd):
            self._end = record
            return
        if isinstance(record, ConnectAttempt) and record.local_port is not None:
            self._traced.add(record.local_port)
        if record is None or self._kept >= MAX_REPORTS:
            return
        self._kept += 1
        if isinstance(record, ConnectAttempt):
            self._attempts.append(record)
        elif isinstance(record, SocketClose):
            self._closes.append(record)

    def _tamper(self, what: str, data: bytes) -> None:
        self._tampering_count += 1
        if len(self._tampering) < MAX_TAMPERING:
            self._tampering.append(Tampering(what, data[:80]))

    @property
    def reported_ports(self) -> frozenset[int]:
        """Source ports of every connection the run reported making (the only ones served in
        routed mode, and the only ones a close report may name)."""
        return frozenset(self._traced)

    def record(self) -> ClientTrace:
        return ClientTrace(
            started=self._phase != SETUP,
            attempts=tuple(self._attempts),
            closes=tuple(self._closes),
            end=self._end,
            tampering=tuple(self._tampering),
            tampering_count=self._tampering_count,
        )


def _take_fds(ancdata: list[tuple[int, int, bytes]]) -> list[int]:
    fds: list[int] = []
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            arr = array.array("i")
            arr.frombytes(payload[: len(payload) - len(payload) % arr.itemsize])
            fds.extend(arr)
    return fds


def _queued(channel: socket.socket) -> int:
    """Bytes waiting on ``channel`` (the kernel's count: empty datagrams add nothing)."""
    try:
        answer = fcntl.ioctl(channel.fileno(), termios.FIONREAD, b"\0\0\0\0")
    except OSError:
        return 0
    return int.from_bytes(answer, sys.byteorder)
