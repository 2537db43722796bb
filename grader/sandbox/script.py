"""One run inside the sandbox: limits, hooks, the script as ``__main__``, and its exit.

Strategy: ``run_script`` does what ``python script.py`` would, in order, and reports to the grader
how the body ended. It runs in the script's own process, a child of the run's supervisor, which
the kernel stops in its exit (``grader.sandbox.supervisor``): nothing here holds or times it.
"""

import _socket
import _thread
import os
import sys

from grader.sandbox.channel import Reporter
from grader.sandbox.hooks import install_hooks, parse

_HERE = os.path.dirname(__file__)  # absolute: the loader names each module /grader/...


def set_limits(memory_mb, fsize_mb, nofile, cpu_s, nproc):
    import resource

    for which, value in (
        # Counted per user namespace and id (Linux 5.14+): caps the run's own processes, a fork
        # bomb included; a root grader maps each run to its own unprivileged id (see README).
        (resource.RLIMIT_NPROC, nproc),
        (resource.RLIMIT_AS, memory_mb * 1024 * 1024),
        (resource.RLIMIT_FSIZE, fsize_mb * 1024 * 1024),
        (resource.RLIMIT_NOFILE, nofile),
        (resource.RLIMIT_CPU, cpu_s),
        (resource.RLIMIT_CORE, 0),
    ):
        if value <= 0 and which != resource.RLIMIT_CORE:
            continue  # not limited here (processes in routed mode); no core file, ever
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # a platform without this limit (RLIMIT_AS on macOS): documented as not enforced


class Exit:
    """How the script's body ended, told once; ``os._exit`` tells it too before exiting.

    Only an explanation: the moment of the exit and its status are the kernel's to tell (the
    supervisor holds this process in its exit, see ``grader.sandbox.supervisor``).
    """

    def __init__(self, report):
        self.report = report
        self.real_exit = os._exit
        self._ended = False
        self._end_lock = _thread.allocate_lock()

    def ended(self, kind, exc_type="", detail=""):
        """Report how the body ended (the first time only)."""
        with self._end_lock:
            if self._ended:
                return
            self._ended = True
            self.report("E", kind, exc_type, detail)

    def wrap_os_exit(self):
        """``os._exit`` says how the body ended before the process really exits."""
        import operator

        real_exit = self.real_exit

        def _exit(status):
            code = operator.index(status)  # the TypeError the real call raises
            if self.report.mine() and -(2**31) <= code < 2**31:
                self.ended("exit", "_exit", code)
            real_exit(status)

        _exit.__module__ = real_exit.__module__
        _exit.__doc__ = real_exit.__doc__
        os._exit = _exit

    def now(self, code):
        """Flush the streams as the interpreter does at exit, and exit with ``code``.

        No interpreter finalisation: a socket the script left open is still open when the
        kernel stops this process in its exit, as the lesson's "not closed" means.
        """
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except BaseException:
                code = code or 120  # as Python does when stdout cannot be flushed at exit
        self.real_exit(code)


def unbuffered_output():
    """As under ``python -u``: every write reaches the grader's pipe at once.

    A pipe makes Python block-buffer stdout, so what a script printed before it hung or was
    killed would be lost; the learner must see what they printed, as they printed it.
    """
    import io

    for name, fd in (("stdout", 1), ("stderr", 2)):
        old = getattr(sys, name)
        stream = io.TextIOWrapper(
            io.FileIO(fd, "w", closefd=False),
            encoding=getattr(old, "encoding", None) or "utf-8",
            errors=getattr(old, "errors", None) or "strict",
            write_through=True,
        )
        setattr(sys, name, stream)
        setattr(sys, f"__{name}__", stream)


def print_exception(exc, script):
    """Print the traceback as ``python script.py`` would, without this file's frames."""
    import traceback

    te = traceback.TracebackException(type(exc), exc, exc.__traceback__)
    for part in (te, te.__cause__, te.__context__):
        if part is not None:
            part.stack = traceback.StackSummary.from_list(
                [f for f in part.stack if not f.filename.startswith(_HERE)]
            )
    sys.stderr.write("".join(te.format()))
    sys.stderr.flush()


def run_script(ctrl_fd, mode, limits, script, confine=None, shown_as=None):
    """Set up the run (routing, hooks, limits, confinement) and run the script.

    ``script`` is the run's private copy; tracebacks name the learner's file ``shown_as``.
    ``mode`` is ``ns`` (the run's own network namespace) or ``route:<ports>`` (routed mode).
    ``confine`` (namespace mode) drops the capabilities before any thread starts and installs
    the seccomp filter last, just before the script's body.
    """
    memory_mb, fsize_mb, nofile, cpu_s, nproc = (int(x) for x in limits.split(",")[:5])
    sys.argv[:] = [script]  # as under ``python script.py``

    ctrl = _socket.socket(fileno=ctrl_fd)
    os.set_inheritable(ctrl_fd, False)
    ns_mode = mode == "ns"
    _adjust_oom_score()
    if confine is not None:
        confine.drop_privileges()
    route = None
    if mode.startswith("route:"):
        route = tuple(int(p) for p in mode.split(":")[1:4])
    report = Reporter(ctrl)
    shown = shown_as or script  # the code's file name: where the hooks look for the script's frames

    with open(script, "rb") as f:
        source = f.read()
    install_hooks(report, route, shown, parse(source))  # its with statements, then let go
    # As under ``python script.py``: the script's folder comes first on the import path.
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    module = type(sys)("__main__")
    module.__file__ = script
    module.__builtins__ = __builtins__
    module.__cached__ = None
    sys.modules["__main__"] = module
    unbuffered_output()
    set_limits(memory_mb, fsize_mb, nofile, cpu_s, nproc if ns_mode else 0)
    leave = Exit(report)
    leave.wrap_os_exit()
    if confine is not None:
        confine.seal()
    report("S")
    remember_source(shown, source)
    code = run_body(leave, source, shown, module)
    finish(leave, code)


def _adjust_oom_score():
    """Be the run's first choice when its memory cgroup is full (the set-up processes are not)."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("0")
    except OSError:
        pass  # no cgroup here, or the value was 0 already


def remember_source(name, source):
    """Let tracebacks quote lines of ``name`` (the learner's path, absent from the sandbox)."""
    import linecache

    lines = source.decode("utf-8", "replace").splitlines(keepends=True)
    linecache.cache[name] = (len(source), None, lines, name)  # no mtime: never re-read


def run_body(leave, source, script, module):
    """Run the script's code; report how it ended; return the exit status Python would give."""
    try:
        # From its text, as ``python script.py`` compiles it (a syntax tree compiles with
        # other limits: an expression of a thousand terms fails there).
        exec(compile(source, script, "exec", dont_inherit=True), module.__dict__)
    except SystemExit as exc:
        status = exc.code
        leave.ended("exit", "SystemExit", "" if status is None else status)
        if status is None or isinstance(status, int):
            return status or 0
        sys.stderr.write(f"{status}\n")  # as Python does with sys.exit("message")
        return 1
    except BaseException as exc:
        leave.ended("exception", type(exc).__name__, exc)
        print_exception(exc, script)
        return 1
    leave.ended("ok")
    return 0


def finish(leave, code):
    """End as the interpreter would: wait for threads, run atexit, flush, exit with ``code``."""
    import threading

    try:
        threading._shutdown()  # non-daemon threads keep the program alive, as at a normal exit
    except BaseException:
        pass
    import atexit

    atexit._run_exitfuncs()
    leave.now(code)
