"""The learner's process: start it, feed stdin, capture capped output, end it and all it started.

Strategy: the process is watched through its pidfd, so its exit is an event for the session's
selector like any socket, and it is not reaped before its process group is killed (the zombie
keeps the group's id from being reused). In namespace mode the script's interpreter is PID 1 of
its own PID namespace: when it ends the kernel ends every process it started, double-forked and
``setsid()`` ones included, before ``unshare`` (our child) can exit; killing it is how a run is
stopped. In routed mode the process group is all we can reach (see the README).
"""

from __future__ import annotations

import os
import select
import selectors
import signal
import subprocess
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO

from grader.records import ProcessOutcome


class LearnerProcess:
    """One started learner process and what it printed."""

    def __init__(
        self,
        argv: Sequence[str],
        stdin: bytes,
        cwd: Path,
        env: dict[str, str],
        pass_fds: Sequence[int],
        output_cap: int,
        in_namespace: bool,
    ) -> None:
        self._argv = list(argv)
        self._stdin = stdin
        self._cwd = cwd
        self._env = env
        self._pass_fds = tuple(pass_fds)
        self._cap = output_cap
        self._in_namespace = in_namespace
        self._out: dict[str, bytearray] = {"stdout": bytearray(), "stderr": bytearray()}
        self._open_streams = 0
        self.overflow = False
        self.timed_out = False
        self.exited = False
        self._pidfd: int | None = None
        self._inner_fd: int | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self.started_at = 0.0
        self.ended_at = 0.0

    def start(self, sel: selectors.BaseSelector) -> None:
        """Start the process and register its output and its exit with ``sel``."""
        self.started_at = time.monotonic()
        self._proc = subprocess.Popen(
            self._argv,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=self._cwd,
            env=self._env,
            pass_fds=self._pass_fds,
            start_new_session=True,  # its own group: a script that kills its group spares us
        )
        assert self._proc.stdin and self._proc.stdout and self._proc.stderr
        try:
            self._proc.stdin.write(self._stdin)  # small: always fits the pipe buffer
            self._proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass  # it ended or closed stdin before reading: its output will say why
        for name, stream in (("stdout", self._proc.stdout), ("stderr", self._proc.stderr)):
            os.set_blocking(stream.fileno(), False)
            sel.register(
                stream, selectors.EVENT_READ, lambda s=stream, n=name: self._drain(sel, s, n)
            )
            self._open_streams += 1
        try:
            self._pidfd = os.pidfd_open(self._proc.pid)
            sel.register(self._pidfd, selectors.EVENT_READ, lambda: self._on_exit(sel))
        except (AttributeError, OSError):
            self._pidfd = None  # no pidfd (not Linux): the session polls ``poll_exit`` instead

    @property
    def pid(self) -> int:
        assert self._proc is not None
        return self._proc.pid

    @property
    def needs_polling(self) -> bool:
        """No pidfd on this platform: the session must call ``poll_exit`` now and then."""
        return self._pidfd is None and not self.exited

    @property
    def reaped(self) -> bool:
        return self._proc is None or self._proc.returncode is not None

    @property
    def done(self) -> bool:
        """The process has exited and both its output streams are at their end."""
        return self.exited and self._open_streams == 0

    def _drain(self, sel: selectors.BaseSelector, stream: IO[bytes], name: str) -> None:
        fd = stream.fileno()
        try:
            data = os.read(fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if not data:
            sel.unregister(stream)
            self._open_streams -= 1
            return
        buf = self._out[name]
        room = self._cap - len(buf)
        buf += data[: max(room, 0)]
        if len(data) > room:
            self.overflow = True  # ended at once: more output can only cost time and memory

    def _on_exit(self, sel: selectors.BaseSelector) -> None:
        if self._pidfd is not None:
            sel.unregister(self._pidfd)
        self.exited = True
        self.ended_at = time.monotonic()

    def poll_exit(self, sel: selectors.BaseSelector) -> None:
        """Without a pidfd: notice the exit without reaping."""
        if self._pidfd is None and not self.exited:
            try:
                info = os.waitid(os.P_PID, self.pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            except ChildProcessError:
                info = None
            if info is not None:
                self._on_exit(sel)

    def _inner_pid(self) -> int | None:
        """PID 1 of the run's namespace, as this machine numbers it."""
        try:
            with open(f"/proc/{self.pid}/task/{self.pid}/children") as f:
                children = f.read().split()
        except OSError:
            return None
        return int(children[0]) if children else None

    def kill(self) -> None:
        """End the process and everything it started."""
        if self._proc is None:
            return
        inner = self._inner_pid() if self._in_namespace else None
        if inner is not None and self._inner_fd is None:
            try:
                # Held open, it pins the PID (no reuse) and tells when the namespace is empty.
                self._inner_fd = os.pidfd_open(inner)
            except OSError:
                self._inner_fd = None
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass
        if self._inner_fd is not None:
            try:
                signal.pidfd_send_signal(self._inner_fd, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass

    def reap(self, deadline: float) -> None:
        """Collect the exit status; in namespace mode that means every process of the run is gone."""
        assert self._proc is not None
        if not self._in_namespace:
            # Routed mode: what the script left running in its group goes with it.
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        try:
            self._proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            self.kill()
            self._proc.wait()
        if self._inner_fd is not None:
            # PID 1 of a namespace exits only after the kernel has ended all of its processes.
            select.select([self._inner_fd], [], [], max(0.1, deadline - time.monotonic()))
            os.close(self._inner_fd)
            self._inner_fd = None
        if self._pidfd is not None:
            os.close(self._pidfd)
            self._pidfd = None
        for stream in (self._proc.stdout, self._proc.stderr):
            if stream is not None:
                stream.close()
        if not self.ended_at:
            self.ended_at = time.monotonic()

    def outcome(self) -> ProcessOutcome:
        assert self._proc is not None and self._proc.returncode is not None
        code = self._proc.returncode
        return ProcessOutcome(
            exit_code=code if code >= 0 else None,
            signal=-code if code < 0 else None,
            timed_out=self.timed_out,
            output_overflow=self.overflow,
            stdout=bytes(self._out["stdout"]),
            stderr=bytes(self._out["stderr"]),
            duration_s=self.ended_at - self.started_at,
        )
