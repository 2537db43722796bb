"""The learner's process: forked by the zygote, fed stdin, output captured, ended with all it started.

Strategy: a run's process is not started with exec but forked from a warm interpreter, the
zygote (``grader.sandbox.zygote``), that the grader starts once: a run then costs a fork instead
of an interpreter start. The run's status channel carries its lifecycle, from processes the
learner's code never runs in: the zygote (``A`` the first process's pid, ``X`` its wait status
and the memory cap's kills once it is reaped: every process of the run is gone), the first
processes (``B`` PID 1's pid, ``F`` a set-up failure) and the run's supervisor (``P`` the script's
pidfd, the run's lookup socket, its packet socket when asked for, and listeners; ``H`` the script
stopped in its exit; ``W`` its wait status). Each message moves the run through ``grader.observe.lifecycle``. What the
submission is (its name, bytes, environment) goes in a memfd only the run's processes read.
"""

from __future__ import annotations

import array
import os
import select
import selectors
import signal
import socket
import time
from collections.abc import Callable

from grader.errors import GraderFault
from grader.observe.lifecycle import TIMED, Event, Lifecycle, LifecycleError
from grader.observe.records import ProcessOutcome
from grader.observe.zygote import Zygote

MAX_FDS = 8  # descriptors one status message may carry (a pidfd, a lookup socket, listeners)
_FD_SPACE = socket.CMSG_SPACE(MAX_FDS * array.array("i").itemsize)


def pid_of(pidfd: int) -> int | None:
    """The pid behind ``pidfd``, in this process's PID namespace (from its fdinfo)."""
    try:
        with open(f"/proc/self/fdinfo/{pidfd}", encoding="ascii") as f:
            for line in f:
                if line.startswith("Pid:"):
                    pid = int(line.split()[1])
                    return pid if pid > 0 else None
    except (OSError, ValueError):
        return None
    return None


def _number(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.lstrip("-").isdigit() else None


class LearnerProcess:
    """One run's process tree and what it printed."""

    def __init__(
        self,
        zygote: Zygote,
        payload: bytes,
        request: bytes,
        ctrl_fd: int,
        stdin: bytes,
        output_cap: int,
        routed: bool,
        on_event: Callable[[Event], None],
    ) -> None:
        self._zygote = zygote
        self._payload = payload
        self._request = request
        self._ctrl_fd = ctrl_fd
        self._stdin = stdin
        self._cap = output_cap
        self._routed = routed
        self._on_event = on_event
        self.life = Lifecycle()
        self._out: dict[int, bytearray] = {}
        self._stdout_fd = self._stderr_fd = -1
        self._streams: list[int] = []
        self._status: socket.socket | None = None
        self._first: int | None = None  # the run's first process, the zygote's child
        self._pid1_fd: int | None = None  # pidfd of PID 1 of the run's namespace
        self.script_fd: int | None = None  # pidfd of the script's process
        self.script_pid: int | None = None
        self.diag: socket.socket | None = None  # lookups in the run's network namespace
        self.listeners: list[socket.socket] = []
        self.tap: socket.socket | None = None  # the run's packets (when capture was asked for)
        self.held_status: int | None = None
        self._script_status: int | None = None
        self._oom_kills = 0
        self._failure = ""
        self.overflow = False
        self.timed_out = False
        self.killed = False
        self.started_at = 0.0
        self.ended_at = 0.0
        self.marks: dict[str, float] = {}  # when each lifecycle event was seen (monotonic)

    def start(self, sel: selectors.BaseSelector) -> None:
        """Ask the zygote for the run and register its output and its status with ``sel``."""
        stdin_r, stdin_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        self.marks["requested"] = time.monotonic()
        status, status_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # The submission and where it runs, read by the run's own processes only.
        request = os.memfd_create("request", os.MFD_CLOEXEC)
        try:
            view = memoryview(self._request)
            while view:
                view = view[os.write(request, view) :]
            os.lseek(request, 0, os.SEEK_SET)
            self._zygote.spawn(
                self._payload,
                [stdin_r, out_w, err_w, self._ctrl_fd, status_child.fileno(), request],
            )
        finally:
            for fd in (stdin_r, out_w, err_w, request):
                os.close(fd)
            status_child.close()
        self.marks["spawned"] = time.monotonic()
        try:
            os.write(stdin_w, self._stdin)  # small (the spec's inputs): fits the pipe buffer
        except OSError:
            pass  # it ended or closed stdin before reading: its output will say why
        os.close(stdin_w)
        status.setblocking(False)
        self._status = status
        sel.register(status, selectors.EVENT_READ, lambda: self._on_status(sel))
        for fd in (out_r, err_r):
            os.set_blocking(fd, False)
            self._out[fd] = bytearray()
            self._streams.append(fd)
            sel.register(fd, selectors.EVENT_READ, lambda f=fd: self._drain(sel, f))
        self._stdout_fd, self._stderr_fd = out_r, err_r

    @property
    def timed(self) -> bool:
        """Whether the script's time limit runs now."""
        return self.life.state in TIMED

    @property
    def done(self) -> bool:
        """The run's processes are gone and both output streams are at their end."""
        return self.life.over and not self._streams

    def _drain(self, sel: selectors.BaseSelector, fd: int) -> None:
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            sel.unregister(fd)
            self._streams.remove(fd)
            os.close(fd)
            return
        buf = self._out[fd]
        room = self._cap - len(buf)
        buf += data[: max(room, 0)]
        if len(data) > room:
            self.overflow = True  # ended at once: more output can only cost time and memory

    def _on_status(self, sel: selectors.BaseSelector) -> None:
        assert self._status is not None
        try:
            data, ancdata, _flags, _addr = self._status.recvmsg(512, _FD_SPACE)
        except BlockingIOError:
            return
        except OSError:
            data, ancdata = b"", []
        fds: list[int] = []
        for level, kind, payload in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                arr = array.array("i")
                arr.frombytes(payload[: len(payload) - len(payload) % arr.itemsize])
                fds.extend(arr)
        if not data:
            for fd in fds:
                os.close(fd)
            sel.unregister(self._status)
            self._status.close()
            self._status = None
            if not self.life.over:
                # The zygote died under the run: end what it had started, then report the fault.
                self._failure = self._failure or "the grader's worker ended during the run"
                self.kill()
                self._event("X")
            return
        word, _, value = data.decode("ascii", "replace").partition("\t")
        if word != "P":
            for fd in fds:
                os.close(fd)
        if word == "A":
            self._first = _number(value)
        elif word == "B":
            pid = _number(value)
            if pid is not None and self._pid1_fd is None:
                try:
                    # Held open, it pins the PID (no reuse) and lets us signal PID 1 directly.
                    self._pid1_fd = os.pidfd_open(pid)
                except OSError:
                    self._pid1_fd = None
        elif word == "P":
            self._started(fds, tap=value == "tap")
        elif word == "H":
            self.held_status = _number(value)
            self._event("H")
        elif word == "W":
            self._script_status = _number(value)
            self.ended_at = time.monotonic()
            self._event("W")
        elif word == "F":
            self._failure = self._failure or value
            self._event("F")
        elif word == "X":
            status, _, oom = value.partition("\t")
            self._oom_kills = _number(oom) or 0
            if not self.ended_at:
                self.ended_at = time.monotonic()
            self._event("X")

    def catch_up(self, sel: selectors.BaseSelector) -> None:
        """Read every status message already queued (without waiting)."""
        poller = select.poll()
        while self._status is not None:
            poller.register(self._status, select.POLLIN)
            ready = poller.poll(0)
            poller.unregister(self._status)
            if not ready:
                return
            self._on_status(sel)

    def _started(self, fds: list[int], tap: bool) -> None:
        # Taken while the grader is already ending the run too (an output flood read in the
        # same wake-up as this report): its listener holds the connections the script made.
        if (
            self.life.state not in ("requested", "killing")
            or self.script_fd is not None
            or (len(fds) < 2 + tap)
        ):
            for fd in fds:
                os.close(fd)
            self._event("P")  # out of order: the table says so
            return
        self.script_fd, diag, *listeners = fds
        if tap:
            self.tap = socket.socket(fileno=listeners.pop(0))
        self.script_pid = pid_of(self.script_fd)
        self.diag = socket.socket(fileno=diag)
        self.listeners = [socket.socket(fileno=fd) for fd in listeners]
        self.started_at = time.monotonic()
        self._event("P")

    def _event(self, event: Event) -> None:
        self.marks.setdefault(event, time.monotonic())
        try:
            self.life.on(event)
        except LifecycleError as exc:
            self._failure = self._failure or f"the run's lifecycle broke: {exc}"
            return
        self._on_event(event)

    def release(self) -> None:
        """The grader has looked at the held script's sockets: let the process exit."""
        if self.life.state != "held":
            return
        self.marks["K"] = time.monotonic()
        self.life.on("K")
        self._send(b"K")

    def _send(self, word: bytes) -> None:
        if self._status is not None:
            try:
                self._status.send(word)
            except OSError:
                pass  # the supervisor is gone: nothing is held any more

    @property
    def unexplained(self) -> bool:
        """The run ended with no status for the script and nobody to blame but the grader's side."""
        return self._script_status is None and not self.killed and not self._oom_kills

    @property
    def failure(self) -> str:
        """Why the run could not be set up or followed (a grader fault), or empty."""
        return self._failure

    def kill(self) -> None:
        """End the run's processes, everything they started included."""
        self.life.on("kill")
        self.killed = True
        if self._routed:
            self._send(b"T")  # the supervisor, a subreaper, kills the script and its orphans
        if self._pid1_fd is not None:
            try:
                signal.pidfd_send_signal(self._pid1_fd, signal.SIGKILL)
            except OSError:
                pass
        if self.script_fd is not None:
            try:
                signal.pidfd_send_signal(self.script_fd, signal.SIGKILL)
            except OSError:
                pass
        if not self._routed and self._first is not None and not self.life.over:
            try:
                os.killpg(self._first, signal.SIGKILL)  # still the zygote's unreaped child
            except (ProcessLookupError, PermissionError):
                pass

    def kill_group(self) -> None:
        """The last resort (routed mode): the first process's whole group."""
        if self._first is not None and not self.life.over:
            try:
                os.killpg(self._first, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def reap(self, sel: selectors.BaseSelector, deadline: float) -> None:
        """Wait (bounded) until every process of the run is gone; kill again if needed."""
        killed = False
        while not self.life.over:
            now = time.monotonic()
            if now >= deadline and not killed:
                self.kill()
                self.kill_group()
                killed = True
                deadline = now + 5.0
            elif now >= deadline:
                raise GraderFault("a learner's process could not be stopped")
            for key, _events in sel.select(timeout=max(0.0, deadline - now)):
                key.data()

    def close(self, sel: selectors.BaseSelector) -> None:
        """Release every descriptor of the run."""
        for fd in list(self._streams):
            sel.unregister(fd)
            os.close(fd)
        self._streams.clear()
        if self._status is not None:
            sel.unregister(self._status)
            self._status.close()
            self._status = None
        for pidfd in (self._pid1_fd, self.script_fd):
            if pidfd is not None:
                os.close(pidfd)
        self._pid1_fd = self.script_fd = None
        for sock in [*self.listeners, *([self.diag] if self.diag else [])]:
            sock.close()
        if self.tap is not None:
            self.tap.close()
        self.listeners = []
        self.diag = self.tap = None

    def stages(self, script_began: float | None, drained: float) -> tuple[tuple[str, float], ...]:
        """How long each stage of the run took (seconds), for the bench's profile."""
        m = dict(self.marks)
        if script_began is not None:
            m["S"] = script_began
        m["drained"] = drained
        order = [
            ("request", "requested", "spawned"),
            ("set-up", "spawned", "P"),
            ("script start", "P", "S"),
            ("script", "S", "H"),
            ("kernel view", "H", "K"),
            ("reap", "K", "X"),
            ("drain", "X", "drained"),
        ]
        return tuple((name, round(m[b] - m[a], 6)) for name, a, b in order if a in m and b in m)

    def outcome(self, stages: tuple[tuple[str, float], ...] = ()) -> ProcessOutcome:
        """How the script's process ended, as its supervisor saw it, and what it printed."""
        memory = False
        if self._script_status is None:
            # No word from the supervisor: the grader ended the run, or the memory cap did.
            status = int(signal.SIGKILL)
            memory = self._oom_kills > 0 and not (self.timed_out or self.overflow)
        else:
            status = self._script_status
            memory = os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL
            memory = memory and self._oom_kills > 0
        signalled = os.WIFSIGNALED(status)
        return ProcessOutcome(
            exit_code=None if signalled else os.waitstatus_to_exitcode(status),
            signal=os.WTERMSIG(status) if signalled else None,
            timed_out=self.timed_out,
            output_overflow=self.overflow,
            stdout=bytes(self._out.get(self._stdout_fd, b"")),
            stderr=bytes(self._out.get(self._stderr_fd, b"")),
            duration_s=max(0.0, (self.ended_at or time.monotonic()) - self.started_at)
            if self.started_at
            else 0.0,
            memory_limit=memory,
            stages=stages,
        )
