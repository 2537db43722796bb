"""Immutable records of what one run of a learner's script did.

Strategy: the I/O edges (``wire`` for the server side, ``process`` for the process, ``trace``
for what the script's interpreter reported, ``sockets`` for the kernel's view of the run's
sockets) each produce one of these frozen records; the checks are pure functions of them.
Nothing here does I/O.
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


CloseHow = Literal["close", "exit", "with", "detach"]


@dataclass(frozen=True)
class SourcePosition:
    """A span of the script's source, as Python's code positions give it (columns in bytes)."""

    line: int
    end_line: int | None = None
    col: int | None = None
    end_col: int | None = None


@dataclass(frozen=True)
class SocketClose:
    """The script's interpreter reported closing a connected socket, and from where.

    ``how`` is ``with`` (it closed while the script was ending a with statement: over the
    socket, ``contextlib.closing``, an ``ExitStack``, its own class), ``exit`` (its
    ``__exit__`` called by hand), ``detach`` (the program took its descriptor over: what it did
    with it is the kernel's to say) or ``close`` (anything else: a ``close()`` call); ``at`` is
    the position of that with statement, else of the script's code that did it (None when no
    code of the script did, e.g. a library closing its own socket). An explanation only:
    whether the socket really was closed is the kernel's to say (``SocketsAtExit``).
    """

    local_port: int
    how: CloseHow
    at: SourcePosition | None = None


@dataclass(frozen=True)
class ScriptEnd:
    """How the script's body ended, as its interpreter reported it."""

    kind: Literal["ok", "exception", "exit"]
    exc_type: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Tampering:
    """A datagram on the control channel that the sandbox never sends: the program wrote it.

    ``what`` says in the grader's words what was wrong with it; ``sample`` is its start.
    """

    what: str
    sample: bytes


@dataclass(frozen=True)
class ClientTrace:
    """What the script asked its socket library to do (reported from inside its interpreter)."""

    started: bool
    attempts: tuple[ConnectAttempt, ...]
    closes: tuple[SocketClose, ...]
    end: ScriptEnd | None
    # What arrived on the control channel that the sandbox never sends (the first few), and
    # how many such datagrams arrived in all.
    tampering: tuple[Tampering, ...] = ()
    tampering_count: int = 0


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
    memory_limit: bool = False  # ended by the run's memory cap (its cgroup), not by itself
    # How long each stage of the run took, in order (request, set-up, script start, script,
    # kernel view, reap, drain): for the bench's profile, never judged.
    stages: tuple[tuple[str, float], ...] = ()


@dataclass(frozen=True)
class SocketState:
    """One connection's socket on the client's side, as the kernel showed it.

    ``held`` is whether the socket still exists (the kernel lists an inode for it: some
    descriptor, or a message in flight, still refers to it); a closed socket is orphaned and
    lists none, or is gone. ``holders`` are the run's processes with a descriptor to it.
    """

    local_port: int
    server_port: int
    tcp_state: str  # ESTABLISHED, FIN_WAIT2, ... or "gone"
    held: bool
    holders: tuple[int, ...] = ()


@dataclass(frozen=True)
class SocketsAtExit:
    """The kernel's view of the run's connections while the script's process was held at exit.

    ``moment`` is ``exit`` (stopped by the kernel in its exit, before its descriptors were
    released) or ``stopped`` (about to be killed at the time limit). ``script_pid`` is the script's interpreter; ``processes`` every process of the run
    then. ``readable`` is False when the kernel's tables could not be read (nothing confirmed).
    """

    moment: Literal["exit", "stopped"]
    script_pid: int
    processes: tuple[int, ...]
    sockets: tuple[SocketState, ...]
    readable: bool = True

    def socket(self, local_port: int) -> SocketState | None:
        """The state of the connection whose client side has ``local_port``."""
        for state in self.sockets:
            if state.local_port == local_port:
                return state
        return None


@dataclass(frozen=True)
class Frame:
    """One frame of the run's loopback, as captured: ``data`` is at most the capture's snap
    length, ``length`` the frame's whole length; ``at_ns`` the kernel's receive time (Unix)."""

    at_ns: int
    data: bytes
    length: int


@dataclass(frozen=True)
class PacketCapture:
    """The run's packets, each once, from before the script started until the run ended.

    ``frames`` are the first ones kept (bounded in number and bytes); ``seen`` counts every
    frame of the run, the ones only counted and the kernel's drops included.
    """

    frames: tuple[Frame, ...]
    seen: int

    @property
    def complete(self) -> bool:
        """Whether every frame of the run was kept."""
        return self.seen == len(self.frames)


@dataclass(frozen=True)
class Observation:
    """One run: the inputs given and the three records of what happened."""

    run_name: str
    stdin: bytes
    process: ProcessOutcome
    wire: Transcript
    trace: ClientTrace
    sockets: SocketsAtExit | None = None  # None: the interpreter was never held nor stopped
    capture: PacketCapture | None = None  # the run's packets, when the grading asked for them
