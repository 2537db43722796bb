"""One run inside the sandbox: limits, hooks, the script as ``__main__``, and its exit.

Strategy: ``run_script`` does what ``python script.py`` would, in order, and reports to the grader
how the body ended; at exit the process is held until the grader has looked at its sockets.
"""

import _socket
import _thread
import os
import sys

from grader.sandbox.channel import send
from grader.sandbox.hooks import install_hooks
from grader.sandbox.namespace import bring_up_loopback, listen_here

ACK_WAIT_S = 10.0  # a bound only: the grader answers at once, or within its own short wait
_HERE = os.path.dirname(os.path.abspath(__file__))


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
        if value <= 0:
            continue
        soft, hard = resource.getrlimit(which)
        if hard != resource.RLIM_INFINITY:
            value = min(value, hard)
        try:
            resource.setrlimit(which, (value, value))
        except (ValueError, OSError):
            pass  # a platform without this limit (RLIMIT_AS on macOS): documented as not enforced


def watch_grader(ctrl, ns_mode, ack):
    """End this run when the grader goes away, so that no learner process outlives it.

    The grader's only message is ``K``: it has seen, while this process still lives, how the
    script's connections ended (see ``_report_exit``).
    """

    def watch():
        try:
            while ctrl.recv(64):
                if ack.locked():
                    ack.release()
        except OSError:
            pass
        # pid 1 of a pid namespace: its exit ends every process of the namespace.
        if not ns_mode:
            try:
                os.killpg(0, 9)
            except OSError:
                pass
        os._exit(137)

    _thread.start_new_thread(watch, ())


def report_exit(ctrl, ack):
    """Say the interpreter is about to exit, and stay alive until the grader has looked.

    While this process lives, a socket the script did not close cannot have sent its FIN; so the
    grader, holding us here, tells a real close from a merely reported one.
    """
    send(ctrl, "Z")
    ack.acquire(timeout=ACK_WAIT_S)


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
    """Set up the run (namespace network or routing, hooks, limits) and run the script.

    ``script`` is the run's private copy; tracebacks name the learner's file ``shown_as``.

    ``confine`` (namespace mode) drops the capabilities once the network is set up, before any
    thread starts, and installs the seccomp filter last, just before the script's body.
    """
    memory_mb, fsize_mb, nofile, cpu_s, nproc = (int(x) for x in limits.split(",")[:5])
    sys.argv[:] = [script]  # as under ``python script.py``

    ctrl = _socket.socket(fileno=ctrl_fd)
    os.set_inheritable(ctrl_fd, False)
    ns_mode = mode.startswith("ns")
    if mode == "ns-up":
        listen_here(ctrl)
    elif mode == "ns-down":
        bring_up_loopback()
    if confine is not None:
        confine.drop_privileges()
    route = None
    if mode.startswith("route:"):
        route = tuple(int(p) for p in mode.split(":")[1:5])
    install_hooks(ctrl, route)
    ack = _thread.allocate_lock()
    ack.acquire()
    watch_grader(ctrl, ns_mode, ack)

    with open(script, "rb") as f:
        source = f.read()
    # As under ``python script.py``: the script's folder comes first on the import path.
    sys.path.insert(0, os.path.dirname(os.path.abspath(script)))
    module = type(sys)("__main__")
    module.__file__ = script
    module.__builtins__ = __builtins__
    module.__cached__ = None
    sys.modules["__main__"] = module
    set_limits(memory_mb, fsize_mb, nofile, cpu_s, nproc if ns_mode else 0)
    if confine is not None:
        confine.seal()
    send(ctrl, "S")
    shown = shown_as or script
    remember_source(shown, source)
    code = run_body(ctrl, source, shown, module)
    finish(ctrl, ack, code)


def remember_source(name, source):
    """Let tracebacks quote lines of ``name`` (the learner's path, absent from the sandbox)."""
    import linecache

    lines = source.decode("utf-8", "replace").splitlines(keepends=True)
    linecache.cache[name] = (len(source), None, lines, name)  # no mtime: never re-read


def run_body(ctrl, source, script, module):
    """Run the script's code; report how it ended; return the exit status Python would give."""
    try:
        exec(compile(source, script, "exec", dont_inherit=True), module.__dict__)
    except SystemExit as exc:
        status = exc.code
        send(ctrl, "E", "exit", "SystemExit", "" if status is None else status)
        if status is None or isinstance(status, int):
            return status or 0
        sys.stderr.write(f"{status}\n")  # as Python does with sys.exit("message")
        return 1
    except BaseException as exc:
        send(ctrl, "E", "exception", type(exc).__name__, str(exc)[:500])
        print_exception(exc, script)
        return 1
    send(ctrl, "E", "ok", "", "")
    return 0


def finish(ctrl, ack, code):
    """End as the interpreter would: wait for threads, run atexit, flush, exit with ``code``."""
    import threading

    try:
        threading._shutdown()  # non-daemon threads keep the program alive, as at a normal exit
    except BaseException:
        pass
    import atexit

    atexit._run_exitfuncs()
    report_exit(ctrl, ack)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except BaseException:
            code = code or 120  # as Python does when stdout cannot be flushed at exit
    os._exit(code)
