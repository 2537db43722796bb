"""The zygote: a warm interpreter that forks one child per run.

Strategy: a run costs a fork, not an interpreter start. Every child is a copy of the pristine
zygote, never of an earlier run, so nothing a script does reaches the next one. In namespace mode
each child enters fresh namespaces itself (``grader.sandbox.namespace``) and forks the script's
process, PID 1 of its own PID namespace. The grader's side is ``grader.observe.process``.
"""

import _socket
import os
import sys

from grader.sandbox.channel import send
from grader.sandbox.kernel import Kernel
from grader.sandbox.namespace import enter_namespaces, probe, seal_file_system
from grader.sandbox.script import run_script

FDS_PER_RUN = 5  # stdin, stdout, stderr, control, status


def exit_like(status):
    """End this process the way the child with wait ``status`` ended."""
    import signal

    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def place_fds(fds):
    """Put the run's descriptors at 0-4 and close every other one the zygote had."""
    import fcntl

    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 64) for fd in fds]
    for target, fd in enumerate(high):
        os.dup2(fd, target, inheritable=target < 3)
    os.closerange(FDS_PER_RUN, 1 << 20)


def _child(kernel, payload, fds, forget, namespaces):
    """One run: arrange the process, enter the namespaces, then fork PID 1 to run the script."""
    for sock in forget:
        sock.detach()  # the zygote's own sockets: their numbers are closed below, never reused
    place_fds(fds)
    status = _socket.socket(fileno=4)
    os.set_inheritable(4, False)
    mode, limits, script, cwd, *env = payload.decode("utf-8", "surrogateescape").split("\0")
    os.setsid()
    os.chdir(cwd)
    os.environ.clear()
    os.environ.update(item.split("=", 1) for item in env if "=" in item)
    if not namespaces:
        status.close()
        run_script(3, mode, limits, script)
    try:
        enter_namespaces(kernel)
    except OSError as exc:
        send(status, "F", str(exc))
        os._exit(125)
    pid = os.fork()
    if pid == 0:
        status.close()  # the status channel is A's and the zygote's, never the script's
        try:
            kernel.die_with_parent()
            seal_file_system(kernel, cwd)
            os.chdir(cwd)  # onto the writable bind mount, not the read-only folder beneath it
        except OSError as exc:
            os.write(2, f"grader: cannot prepare the run: {exc}\n".encode())
            os._exit(125)
        run_script(3, mode, limits, script)
    send(status, "B", pid)
    status.close()
    for fd in (0, 1, 2, 3):
        os.close(fd)  # only the script's process holds its streams and its control channel
    exit_like(os.waitpid(pid, 0)[1])


def zygote(chan_fd, wanted):
    """Serve runs: one datagram (payload and five descriptors) in, one forked child out."""
    import array
    import select

    kernel = Kernel()
    chan = _socket.socket(fileno=chan_fd)
    namespaces = wanted != "routed" and probe(kernel)
    chan.send(b"R\t" + (b"namespace" if namespaces else b"routed"))
    poller = select.poll()
    poller.register(chan_fd, select.POLLIN)
    children = {}  # pidfd -> (pid, status socket)
    space = _socket.CMSG_SPACE(FDS_PER_RUN * 4)
    while True:
        for fd, _events in poller.poll():
            if fd != chan_fd:
                pid, status = children.pop(fd)
                poller.unregister(fd)
                os.close(fd)
                send(status, "X", os.waitpid(pid, 0)[1])
                status.close()
                continue
            data, ancdata, _flags, _addr = chan.recvmsg(65536, space)
            fds = array.array("i")
            for level, kind, payload in ancdata:
                if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                    fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            if not data:
                os._exit(0)  # the grader is gone; running children end by their own watchdogs
            if len(fds) != FDS_PER_RUN:
                for f in fds:
                    os.close(f)
                continue
            pid = os.fork()
            if pid == 0:
                try:
                    forget = [chan] + [s for _p, s in children.values()]
                    _child(kernel, data, list(fds), forget, namespaces)
                finally:
                    os._exit(125)
            for f in fds[:-1]:
                os.close(f)
            status = _socket.socket(fileno=fds[-1])
            pidfd = os.pidfd_open(pid)
            poller.register(pidfd, select.POLLIN)
            children[pidfd] = (pid, status)
            send(status, "A", pid)


def main() -> None:
    """Entry point: ``python -I -c ... <channel fd> <mode>`` (see ``grader.observe.process``)."""
    zygote(int(sys.argv[1]), sys.argv[2])
