"""Immutable records of what one run of a learner's script did.

Strategy: the I/O edges (``wire`` for the server side, ``runner`` for the process, ``trace`` for
what the script's interpreter reported) each produce one of these frozen records; the checks are
pure functions of them. Nothing here does I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Direction = Literal["in", "out"]
ConnectionEnd = Literal["fin", "rst", "open"]


@dataclass(frozen=True)
class Segment:
    """Bytes that crossed one connection: ``in`` from the learner's program, ``out`` the reply."""

    direction: Direction
    data: bytes
    at_s: float = 0.0  # seconds since the run's server side started, when it arrived or was sent


@dataclass(frozen=True)
class ConnectionRecord:
    """One connection as the server saw it, in accept order."""

    index: int
    peer: str
    peer_port: int
    segments: tuple[Segment, ...]
    end: ConnectionEnd
    dropped: int = 0  # bytes received past the recording cap
    # The server saw this connection end while the program still ran (at the end of its body,
    # or when it was stopped): the close was the program's own, not the interpreter's exit.
    ended_while_running: bool = False
    opened_s: float = 0.0  # seconds since the run's server side started, when it was accepted
    ended_s: float | None = None  # when its FIN or RST arrived (None: still open)

    @property
    def received(self) -> bytes:
        """Every byte the program sent on this connection, joined: TCP is a stream."""
        return b"".join(s.data for s in self.segments if s.direction == "in")

    @property
    def replies(self) -> tuple[bytes, ...]:
        return tuple(s.data for s in self.segments if s.direction == "out")

    def turns(self) -> tuple[bytes, ...]:
        """What arrived before each reply, then what arrived after the last one."""
        turns: list[bytes] = []
        pending = b""
        for seg in self.segments:
            if seg.direction == "in":
                pending += seg.data
            else:
                turns.append(pending)
                pending = b""
        turns.append(pending)
        return tuple(turns)


@dataclass(frozen=True)
class Transcript:
    """Everything the reference server observed during one run."""

    server_up: bool
    connections: tuple[ConnectionRecord, ...]
    over_cap: bool = False  # more connections arrived than the recorder keeps


@dataclass(frozen=True)
class ConnectAttempt:
    """A ``connect``/``connect_ex`` call, as the script's interpreter reported it."""

    host: str
    port: str
    outcome: str  # "connected", an exception name such as "ConnectionRefusedError", or "errno N"
    local_port: int | None


@dataclass(frozen=True)
class SocketClose:
    """The script closed a connected socket itself: ``close()`` or the end of a ``with`` block.

    Reported before the interpreter began to exit (its body, its threads, its atexit handlers);
    it counts only if the server saw that connection's FIN while the process still ran.
    """

    local_port: int
    how: Literal["close", "with"]


@dataclass(frozen=True)
class ScriptEnd:
    """How the script's body ended, as its interpreter reported it."""

    kind: Literal["ok", "exception", "exit"]
    exc_type: str = ""
    detail: str = ""


@dataclass(frozen=True)
class ClientTrace:
    """What the script asked its socket library to do (reported from inside its interpreter)."""

    started: bool
    attempts: tuple[ConnectAttempt, ...]
    closes: tuple[SocketClose, ...]
    end: ScriptEnd | None


@dataclass(frozen=True)
class ProcessOutcome:
    """How the learner's process ended and what it printed (each stream capped)."""

    exit_code: int | None  # None when a signal ended it
    signal: int | None
    timed_out: bool
    output_overflow: bool
    stdout: bytes
    stderr: bytes
    duration_s: float


@dataclass(frozen=True)
class Observation:
    """One run: the inputs given and the three records of what happened."""

    run_name: str
    stdin: bytes
    process: ProcessOutcome
    wire: Transcript
    trace: ClientTrace
