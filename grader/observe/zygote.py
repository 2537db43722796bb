"""The grader's side of the warm worker interpreter, the zygote (``grader.sandbox.zygote``).

Strategy: the zygote is started once per ``Grader`` as ``python -I`` importing only the sandbox
package from this installation, and answers one datagram per run (what to run and its
descriptors) by forking a child. It boots while the rest of the grader is imported; the first
use waits for its ready message, and a zygote that died is replaced once.
"""

from __future__ import annotations

import array
import socket
import subprocess
import sys
import threading

from grader.config import DEFAULT_RUN_IDS
from grader.errors import GraderFault
from grader.paths import PACKAGE_ROOT

START_TIMEOUT_S = 60.0  # the zygote's first start on a cold, loaded machine


class Zygote:
    """The warm interpreter that forks every run. Started at once, waited for when first used."""

    def __init__(self, mode: str, run_ids: tuple[int, int] = DEFAULT_RUN_IDS) -> None:
        self._wanted = mode
        self._run_ids = run_ids
        self._lock = threading.Lock()
        self._start()

    def _start(self) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        # -I: no environment, no user site, no current folder; the sandbox imports only the standard
        # library and itself, from this installation.
        boot = f"import sys; sys.path.insert(0, {str(PACKAGE_ROOT)!r}); import grader.sandbox.zygote as z; z.main()"
        argv = [sys.executable, "-I", "-B", "-X", "utf8", "-c", boot, str(child.fileno())]
        self._proc = subprocess.Popen(
            [*argv, self._wanted, f"{self._run_ids[0]}-{self._run_ids[1]}"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(child.fileno(),),
            start_new_session=True,
        )
        child.close()
        self._chan = parent
        self._mode: str | None = None
        self._cgroup = False

    @property
    def pid(self) -> int:
        """The zygote's PID: every process of every run descends from it."""
        return self._proc.pid

    def mode(self) -> str:
        """``namespace`` or ``routed``: what the zygote found this machine grants."""
        with self._lock:
            if self._mode is None:
                self._chan.settimeout(START_TIMEOUT_S)
                try:
                    ready = self._chan.recv(64).decode("ascii", "replace")
                except (TimeoutError, OSError) as exc:
                    raise GraderFault(
                        f"the grader's worker interpreter did not start ({exc})"
                    ) from None
                if not ready.startswith("R\t"):
                    code = self._proc.poll()
                    raise GraderFault(f"the grader's worker interpreter failed (exit {code})")
                self._mode, _, layers = ready[2:].partition("\t")
                self._cgroup = layers == "cgroup"
                self._chan.settimeout(None)
            return self._mode

    def cgroups(self) -> bool:
        """Whether each run gets a cgroup of its own (memory and task caps for the whole run)."""
        self.mode()
        return self._cgroup

    def spawn(self, payload: bytes, fds: list[int]) -> None:
        """Ask for one run: ``payload`` says what to run, ``fds`` are its six descriptors.

        A zygote that died (killed from outside, say) is replaced once, so that a long-lived
        Grader recovers instead of failing every grading after.
        """
        for attempt in (1, 2):
            self.mode()
            chan = self._chan
            try:
                chan.sendmsg(
                    [payload], [(socket.SOL_SOCKET, socket.SCM_RIGHTS, array.array("i", fds))]
                )
                return
            except OSError as exc:
                if attempt == 2:
                    raise GraderFault(f"the grader's worker interpreter is gone ({exc})") from None
            with self._lock:
                if self._chan is chan:  # not yet replaced by another thread
                    self._reap_dead()
                    self._start()

    def _reap_dead(self) -> None:
        self._chan.close()
        self._proc.kill()
        self._proc.wait()

    def close(self) -> None:
        """Stop the zygote (runs already started finish on their own)."""
        self._chan.close()
        try:
            self._proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self._proc.kill()
            self._proc.wait()
