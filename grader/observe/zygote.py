"""The grader's side of the warm worker interpreter, the zygote (``grader.sandbox.zygote``).

Strategy: the zygote is started once per ``Grader`` as ``python -I``, with an environment of
our choosing (nothing of the grader's own: a run is a fork of the zygote, and a process's
original environment block stays readable in ``/proc/self/environ`` whatever it does to
``os.environ``), the base interpreter's path as its name, and the sandbox package handed over
as code on its standard input (compiled here, file names neutral), so that neither its arguments
nor its memory name where the grader is installed. It answers one datagram per run (the run's mode and limits and its
descriptors) by forking a child. It boots while the rest of the grader is imported; the first
use waits for its ready message, and a zygote that died is replaced once.
"""

from __future__ import annotations

import array
import importlib.machinery
import marshal
import os
import socket
import subprocess
import sys
import threading
import types
from pathlib import Path

from grader.config import DEFAULT_POOL, DEFAULT_RUN_IDS, Limits
from grader.errors import GraderFault
from grader.paths import PACKAGE_ROOT

START_TIMEOUT_S = 60.0  # the zygote's first start on a cold, loaded machine

# Every run's environment (and the zygote's own, which a run can read in /proc/self/environ):
# fixed, nothing inherited. HOME and TMPDIR are the run's scratch folder.
RUN_PATH = "/usr/local/bin:/usr/bin:/bin"


def run_environment(scratch: str) -> dict[str, str]:
    """The whole environment of a run whose scratch folder is ``scratch``."""
    return {
        "PATH": RUN_PATH,
        "HOME": scratch,
        "TMPDIR": scratch,
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",  # the run's own streams are unbuffered too (sandbox/script.py)
    }


# Runs in the zygote before anything else: serves ``grader.sandbox.*`` from the code it is
# given, under neutral file names, so that no path of this installation enters the zygote.
_LOADER = """
import sys


def _site():
    # Started with -S: no .pth file or sitecustomize of the host runs in a process whose
    # children run learners' code (nor costs its start-up time, nor weighs on every fork).
    # What a script may still expect of site is set here: the site-packages folders on the
    # path, exit() and the like.
    import os
    import site

    for folder in site.getsitepackages():
        if os.path.isdir(folder) and folder not in sys.path:
            sys.path.append(folder)
    site.setquit()
    site.setcopyright()
    site.sethelper()


def _install(codes):
    import importlib.util

    class Bundle:
        @staticmethod
        def find_spec(name, path=None, target=None):
            if name not in codes:
                return None
            package = name in ("grader", "grader.sandbox")
            return importlib.util.spec_from_loader(name, Bundle, is_package=package)

        @staticmethod
        def create_module(spec):
            return None

        @staticmethod
        def exec_module(module):
            name = module.__name__
            code = codes[name]
            module.__file__ = code.co_filename
            exec(code, module.__dict__)

    sys.meta_path.insert(0, Bundle)
"""
# The zygote's command: its standard input is the program, a NUL, then the sandbox's code.
BOOT = (
    "import sys; _program, _, _code = sys.stdin.buffer.read().partition(b'\\0'); "
    "exec(compile(_program, '<zygote>', 'exec'))"
)


def _neutral(code: types.CodeType, filename: str) -> types.CodeType:
    """``code`` with every file name in it (nested functions' too) set to ``filename``."""
    consts = tuple(
        _neutral(c, filename) if isinstance(c, types.CodeType) else c for c in code.co_consts
    )
    return code.replace(co_filename=filename, co_consts=consts)


def sandbox_code() -> bytes:
    """The sandbox package's modules as code (marshal), named ``/grader/sandbox/<module>.py``.

    Compiled by this interpreter, which is the zygote's (its cached bytecode where it is valid,
    as an import would use it): the zygote, whose start every ``grade`` command waits for,
    does not compile them again.
    """
    folder = PACKAGE_ROOT / "grader" / "sandbox"
    codes = {"grader": compile("", "/grader/__init__.py", "exec")}
    for path in sorted(folder.glob("*.py")):
        package = path.stem == "__init__"
        name = "grader.sandbox" + ("" if package else f".{path.stem}")
        shown = "/grader/sandbox/" + ("__init__" if package else path.stem) + ".py"
        code = importlib.machinery.SourceFileLoader(name, str(path)).get_code(name)
        if code is None:
            raise GraderFault(f"the grader's sandbox module {path.name} has no code")
        codes[name] = _neutral(code, shown)
    return marshal.dumps(codes)


def _boot_program(hidden: list[str], pool: int, shape: str) -> bytes:
    """The zygote's standard input: the loader and the call of its main, then the code."""
    tail = (
        "_site()\n"
        "import marshal as _marshal\n"
        "_install(_marshal.loads(_code))\n"
        "del _code, _program\n"
        "import grader.sandbox.zygote as _z\n"
        f"_z.main({hidden!r}, {pool!r}, {shape!r})\n"
    )
    return (_LOADER + tail).encode("utf-8") + b"\0" + sandbox_code()


def shape_of(limits: Limits) -> str:
    """What a prepared run fixes of its limits, as the zygote compares them (see
    ``grader.sandbox.zygote.shape_of``, which reads the same four from a run's limits)."""
    return f"{limits.processes},{limits.scratch_mb},{limits.shm_mb},{limits.run_memory_mb}"


def _hidden_folders() -> list[str]:
    """The grader's package, where it lies inside the interpreter's prefix (a wheel installed
    into it): the minimal root binds that prefix, so the package is covered there."""
    package = (PACKAGE_ROOT / "grader").resolve()
    prefix = Path(sys.base_prefix).resolve()
    return [str(package)] if package.is_relative_to(prefix) else []


class Zygote:
    """The warm interpreter that forks every run. Started at once, waited for when first used."""

    def __init__(
        self,
        mode: str,
        run_ids: tuple[int, int] = DEFAULT_RUN_IDS,
        pool: int = DEFAULT_POOL,
        limits: Limits | None = None,
    ) -> None:
        """``pool`` runs are kept prepared ahead, for runs of ``limits`` (tasks, scratch folder,
        ``/dev/shm`` and memory caps are fixed when a run is prepared)."""
        self._wanted = mode
        self._run_ids = run_ids
        self._pool = pool
        self._shape = shape_of(limits or Limits())
        self._lock = threading.Lock()
        self._start()

    def _start(self) -> None:
        parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        program = os.memfd_create("zygote", os.MFD_CLOEXEC)
        try:
            os.write(program, _boot_program(_hidden_folders(), self._pool, self._shape))
            os.lseek(program, 0, os.SEEK_SET)
            # -I: no environment variables, user site or current folder; -S: no site module
            # (see _site in the loader); -B: no bytecode written. The base interpreter (not a virtual environment's link to it): the
            # sandbox needs the standard library only, and its name must not say where the
            # grader lives.
            executable = os.path.realpath(sys.executable)
            argv = [executable, "-I", "-S", "-B", "-X", "utf8", "-c", BOOT, str(child.fileno())]
            self._proc = subprocess.Popen(
                [*argv, self._wanted, f"{self._run_ids[0]}-{self._run_ids[1]}"],
                executable=executable,
                stdin=program,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
                pass_fds=(child.fileno(),),
                start_new_session=True,
                env=run_environment("/scratch"),
                cwd="/",
            )
        finally:
            os.close(program)
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
                if self._proc.poll() is not None:
                    # Gone, though its channel may live on a moment in a run it was preparing:
                    # a request sent there would be lost.
                    raise ConnectionResetError(f"it ended with status {self._proc.returncode}")
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
