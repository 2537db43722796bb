"""Reads the control channel: what the script's interpreter reported (see ``grader.sandbox``).

Strategy: the channel is a SEQPACKET socket, one report a datagram. The script shares a process
with the sandbox code and could write to the channel too, so every report is parsed defensively,
bounded in number, and file descriptors are taken only in the one message that may carry them,
before the script starts.
"""

from __future__ import annotations

import array
import socket

from grader.observe.records import ClientTrace, ConnectAttempt, ScriptEnd, SocketClose

MAX_REPORTS = 2000
_FD_SPACE = socket.CMSG_SPACE(4 * array.array("i").itemsize)


class TraceReader:
    """Collects reports from the sandbox; ``record()`` freezes them into a ClientTrace."""

    def __init__(self, channel: socket.socket) -> None:
        self.channel = channel
        self._listeners: list[socket.socket] = []
        self._had_listeners = False
        self._started = False
        self._attempts: list[ConnectAttempt] = []
        self._closes: list[SocketClose] = []
        self._end: ScriptEnd | None = None
        self._exiting = False
        self._count = 0
        self.closed = False

    def on_readable(self) -> bool:
        """Read one report; return False once the channel has ended."""
        try:
            data, ancdata, _flags, _addr = self.channel.recvmsg(4096, _FD_SPACE)
        except BlockingIOError:
            return True
        except OSError:
            data, ancdata = b"", []
        fds = _take_fds(ancdata)
        if not data:
            for fd in fds:
                socket.close(fd)
            self.closed = True
            return False
        if data == b"L" and not self._started and not self._had_listeners:
            self._had_listeners = True
            self._listeners = [socket.socket(fileno=fd) for fd in fds]
            return True
        for fd in fds:  # descriptors the script smuggled in: not ours to keep
            socket.close(fd)
        self._count += 1
        if self._count <= MAX_REPORTS:
            self._parse(data.decode("utf-8", "replace").split("\t"))
        return True

    def _parse(self, fields: list[str]) -> None:
        kind, args = fields[0], fields[1:]
        if kind == "S":
            self._started = True
        elif kind == "A" and len(args) == 4:
            host, port, outcome, lport = args
            self._attempts.append(
                ConnectAttempt(host, port, outcome, int(lport) if lport.isdigit() else None)
            )
        elif kind == "C" and len(args) == 2 and args[0].isdigit() and args[1] in ("close", "with"):
            if self._exiting:
                return  # the interpreter's own clean-up is not the script closing
            if args[1] == "close":
                self._closes.append(SocketClose(int(args[0]), "close"))
            else:
                self._closes.append(SocketClose(int(args[0]), "with"))
        elif kind == "Z":
            self._exiting = True
        elif kind == "E" and len(args) == 3 and self._end is None:
            end_kind = args[0]
            if end_kind in ("ok", "exception", "exit"):
                self._end = ScriptEnd(end_kind, args[1], args[2])  # type: ignore[arg-type]

    def take_listeners(self) -> list[socket.socket]:
        """The listening sockets handed over from the run's namespace, once (then empty)."""
        taken, self._listeners = self._listeners, []
        return taken

    @property
    def exiting(self) -> bool:
        """The interpreter is about to exit (body, threads and atexit handlers are done)."""
        return self._exiting

    def claimed_closes(self) -> set[int]:
        """Local ports of the sockets the script says it closed."""
        return {c.local_port for c in self._closes}

    def record(self) -> ClientTrace:
        return ClientTrace(
            started=self._started,
            attempts=tuple(self._attempts),
            closes=tuple(self._closes),
            end=self._end,
        )


def _take_fds(ancdata: list[tuple[int, int, bytes]]) -> list[int]:
    fds: list[int] = []
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            arr = array.array("i")
            arr.frombytes(payload[: len(payload) - len(payload) % arr.itemsize])
            fds.extend(arr)
    return fds
