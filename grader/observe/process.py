"""The learner's process: forked by the zygote, fed stdin, output captured, ended with all it started.

Strategy: a run's process is not started with exec but forked from a warm interpreter, the
zygote (``grader.sandbox.zygote``), that the grader starts once: a run then costs a fork instead of an
interpreter start. The zygote tells, on a per-run status socket, the PID of the run's first
process (``A``), in namespace mode the PID of the script's interpreter, PID 1 of its own PID
namespace (``B``), and the wait status once the first process is gone (``X``). Because PID 1 of
a namespace exits only after the kernel has ended every process in it, ``X`` means the whole
tree is gone; stopping a run is killing PID 1. In routed mode the process group is all we reach.
"""

from __future__ import annotations

import os
import select
import selectors
import signal
import socket
import time

from grader.errors import GraderFault
from grader.observe.records import ProcessOutcome
from grader.observe.zygote import Zygote


class LearnerProcess:
    """One run's process tree and what it printed."""

    def __init__(
        self,
        zygote: Zygote,
        payload: bytes,
        ctrl_fd: int,
        stdin: bytes,
        output_cap: int,
        source: bytes = b"",
    ) -> None:
        self._zygote = zygote
        self._source = source
        self._payload = payload
        self._ctrl_fd = ctrl_fd
        self._stdin = stdin
        self._cap = output_cap
        self._out: dict[int, bytearray] = {}
        self._stdout_fd = self._stderr_fd = -1
        self._streams: list[int] = []
        self._status: socket.socket | None = None
        self._outer: int | None = None  # the run's first process (the script's, in routed mode)
        self._inner_fd: int | None = None  # pidfd of PID 1 of the run's namespace
        self._inner: int | None = None  # PID 1 of the run's namespace, as the grader sees it
        self._wait_status: int | None = None
        self._failure = ""
        self.overflow = False
        self.timed_out = False
        self.started_at = 0.0
        self.ended_at = 0.0

    def start(self, sel: selectors.BaseSelector) -> None:
        """Fork the run and register its output and its status with ``sel``."""
        stdin_r, stdin_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        status, status_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # The submission's bytes, as read once by the grader: the run writes its private copy
        # from this, never from the learner's path (which may change meanwhile).
        source = os.memfd_create("submission", os.MFD_CLOEXEC)
        try:
            os.write(source, self._source)
            os.lseek(source, 0, os.SEEK_SET)
            self.started_at = time.monotonic()
            self._zygote.spawn(
                self._payload,
                [stdin_r, out_w, err_w, self._ctrl_fd, status_child.fileno(), source],
            )
        finally:
            for fd in (stdin_r, out_w, err_w, source):
                os.close(fd)
            status_child.close()
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
    def exited(self) -> bool:
        return self._wait_status is not None

    @property
    def done(self) -> bool:
        """The run's processes are gone and both output streams are at their end."""
        return self.exited and not self._streams

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
            message = self._status.recv(256).decode("ascii", "replace")
        except BlockingIOError:
            return  # read already, by ``script_pid`` within the same batch of events
        except OSError:
            message = ""
        if not message:
            sel.unregister(self._status)
            self._status.close()
            if self._wait_status is None:
                # The zygote died under the run: end what it had started, then report the fault.
                self._failure = self._failure or "the grader's worker ended during the run"
                self.kill()
                self._wait_status = 125 << 8
                self.ended_at = time.monotonic()
            return
        kind, _, value = message.partition("\t")
        if kind == "A" and value.isdigit():
            self._outer = int(value)
        elif kind == "B" and value.isdigit():
            self._inner = int(value)
            try:
                # Held open, it pins the PID (no reuse) and lets us signal PID 1 directly.
                self._inner_fd = os.pidfd_open(int(value))
            except OSError:
                self._inner_fd = None
        elif kind == "F":
            self._failure = value
        elif kind == "X" and value.lstrip("-").isdigit():
            self._wait_status = int(value)
            self.ended_at = time.monotonic()

    def script_pid(
        self, sel: selectors.BaseSelector, namespace: bool, deadline: float
    ) -> int | None:
        """The PID of the script's interpreter (PID 1 of its namespace in namespace mode).

        The script's own reports can arrive before the status message that names it: the
        zygote (or the run's first process) sends it just after the fork, and a fast script
        may reach its exit first. The script is held meanwhile, so this waits for it, until
        ``deadline`` at the latest.
        """
        poller = select.poll()
        while self._status is not None and (self._inner if namespace else self._outer) is None:
            if self._status.fileno() < 0:
                break
            poller.register(self._status, select.POLLIN)
            wait_ms = max(0.0, deadline - time.monotonic()) * 1000
            if not poller.poll(wait_ms):
                break
            self._on_status(sel)
        return self._inner if namespace else self._outer

    @property
    def failure(self) -> str:
        """Why the run could not be set up (a grader fault), or empty."""
        return self._failure

    def kill(self) -> None:
        """End the run's processes, everything they started included."""
        if self._inner_fd is not None:
            try:
                signal.pidfd_send_signal(self._inner_fd, signal.SIGKILL)
            except (ProcessLookupError, PermissionError, OSError):
                pass
        if self._outer is not None and self._wait_status is None:
            try:
                os.killpg(self._outer, signal.SIGKILL)  # still the zygote's unreaped child
            except (ProcessLookupError, PermissionError):
                pass

    def reap(self, sel: selectors.BaseSelector, deadline: float) -> None:
        """Wait (bounded) until the run's first process is gone; kill again if needed."""
        killed = False
        while self._wait_status is None:
            now = time.monotonic()
            if now >= deadline and not killed:
                self.kill()
                killed = True
                deadline = now + 5.0
            elif now >= deadline:
                raise GraderFault("a learner's process could not be stopped")
            for key, _events in sel.select(timeout=max(0.0, deadline - now)):
                key.data()
        if self._inner_fd is not None:
            # If the first process was killed, PID 1 is ended by the kernel a moment later;
            # once its pidfd is readable, every process of the namespace is gone.
            poller = select.poll()
            poller.register(self._inner_fd, select.POLLIN)
            if not poller.poll(max(0.0, deadline - time.monotonic()) * 1000 + 100):
                raise GraderFault("a learner's process could not be stopped")

    def close(self, sel: selectors.BaseSelector) -> None:
        """Release every descriptor of the run."""
        for fd in list(self._streams):
            sel.unregister(fd)
            os.close(fd)
        self._streams.clear()
        if self._status is not None and self._status.fileno() >= 0:
            sel.unregister(self._status)
            self._status.close()
        if self._inner_fd is not None:
            os.close(self._inner_fd)
            self._inner_fd = None

    def outcome(self) -> ProcessOutcome:
        status = self._wait_status if self._wait_status is not None else 125 << 8
        signalled = os.WIFSIGNALED(status)
        return ProcessOutcome(
            exit_code=None if signalled else os.waitstatus_to_exitcode(status),
            signal=os.WTERMSIG(status) if signalled else None,
            timed_out=self.timed_out,
            output_overflow=self.overflow,
            stdout=bytes(self._out.get(self._stdout_fd, b"")),
            stderr=bytes(self._out.get(self._stderr_fd, b"")),
            duration_s=(self.ended_at or time.monotonic()) - self.started_at,
        )
