"""The zygote: a warm interpreter that forks one child per run.

Strategy: a run costs a fork, not an interpreter start. Every child is a copy of the pristine
zygote, never of an earlier run, so nothing a script does reaches the next one; and the zygote
never learns anything about a submission (its name, its bytes, its environment): those reach the
run's own processes after the fork, through a descriptor only that run holds, so no later run
finds them in its copy of the zygote's memory. Before serving, the zygote imports everything a
run needs (nothing is imported from the host after a script starts, so a learner's
``threading.py`` cannot stand in) and, in namespace mode, moves itself into the minimal root
(``grader.sandbox.root``). Per run, in namespace mode, four processes: the first (A) stays in the
zygote's user namespace and maps the ids of the second (B), which enters the run's namespaces;
the third (P1) is PID 1 of the run's PID namespace, finishes the run's root and network and
supervises (``grader.sandbox.supervisor``) the fourth, the script's process. In routed mode A is
the supervisor. The grader's side is ``grader.observe.process``.
"""

import _socket
import os
import sys

from grader.sandbox.cgroup import RunGroups
from grader.sandbox.channel import send
from grader.sandbox.kernel import Kernel
from grader.sandbox.namespace import (
    Confinement,
    become_root_inside,
    bring_up_loopback,
    leave_groups,
    listen_here,
    map_when_unshared,
    open_tap,
    probe,
    take_run_id,
    unshare_run,
)
from grader.sandbox.root import SCRATCH, enter_own_root, finish_run_root
from grader.sandbox.script import run_script
from grader.sandbox.seccomp import build_filter
from grader.sandbox.supervisor import Supervisor, end_orphans

FDS_PER_RUN = 6  # stdin, stdout, stderr, control, status, the run's request (memfd)
STATUS_FD, REQUEST_FD = 4, 5
# Imported before any fork: a run must not import these from its own folder (a learner's
# threading.py) nor need the host's files for them (the minimal root has only the stdlib).
PRELOAD = (
    "array ast atexit encodings.idna errno fcntl linecache resource select signal struct "
    "threading tokenize traceback"
).split()


def read_request(fd):
    """The run's request, written by the grader: (name, cwd, environment, the source's bytes).

    Laid out as NUL-separated fields (name, cwd, then ``KEY=value`` items), an empty field,
    then the submission's bytes as the grader read them once.
    """
    chunks = []
    while chunk := os.read(fd, 1 << 16):
        chunks.append(chunk)
    os.close(fd)
    data = b"".join(chunks)
    head, _, source = data.partition(b"\0\0")
    name, cwd, *env = head.decode("utf-8", "surrogateescape").split("\0")
    return name, cwd, [item for item in env if "=" in item], source


def write_copy(source, folder, name):
    """Write the submission's bytes into ``folder`` as the run's private copy."""
    name = os.path.basename(name) or "submission.py"
    path = os.path.join(folder, name)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        view = memoryview(source)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)
    return path


def exit_like(status):
    """End this process the way the child with wait ``status`` ended."""
    import signal

    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def place_fds(fds):
    """Put the run's descriptors at 0-5 and close every other one the zygote had."""
    import fcntl

    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 64) for fd in fds]
    for target, fd in enumerate(high):
        os.dup2(fd, target, inheritable=target < 3)
    os.closerange(FDS_PER_RUN, 1 << 20)


def _protect_from_oom():
    """The set-up processes are never the memory cgroup's victim (root only; the script resets
    its own score, see ``grader.sandbox.script``)."""
    try:
        with open("/proc/self/oom_score_adj", "w") as f:
            f.write("-1000")
    except OSError:
        pass


def _child(kernel, mode, limits, fds, forget, namespaces, outside, program, cgroup_procs):
    """A: arrange the process; routed mode: supervise the script; namespace mode: fork B."""
    RunGroups.join(cgroup_procs)  # first: everything the run starts is counted
    if cgroup_procs:
        _protect_from_oom()
    for sock in forget:
        sock.detach()  # the zygote's own sockets: their numbers are closed below, never reused
    place_fds(fds)
    status = _socket.socket(fileno=STATUS_FD)
    os.set_inheritable(STATUS_FD, False)
    name, cwd, env, source = read_request(REQUEST_FD)
    os.setsid()
    os.environ.clear()
    os.environ.update(item.split("=", 1) for item in env)
    if not namespaces:
        os.chdir(cwd)
        script = write_copy(source, cwd, name)
        del source
        supervisor = Supervisor(kernel, status, routed=True)
        supervisor.start(lambda: run_script(3, mode, limits, script, shown_as=name))
        for fd in (0, 1, 2, 3):
            os.close(fd)  # only the script's process holds its streams and its control channel
        status_code = supervisor.run()
        end_orphans()
        exit_like(status_code)
    ready_r, ready_w = os.pipe()
    go_r, go_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(ready_r)
        os.close(go_w)
        _enter(kernel, status, ready_w, go_r, mode, limits, name, source, program)
    del source
    os.close(ready_w)
    os.close(go_r)
    try:
        map_when_unshared(pid, outside, ready_r, go_w)
    except OSError as exc:
        send(status, "F", f"mapping the run's ids: {exc}")
    os.close(go_w)
    os.close(ready_r)
    status.close()
    for fd in (0, 1, 2, 3):
        os.close(fd)  # only the script's process holds its streams and its control channel
    exit_like(os.waitpid(pid, 0)[1])


def _enter(kernel, status, ready_w, go_r, mode, limits, name, source, program):
    """B: enter the run's namespaces, wait for the ids, fork PID 1 (P1) and wait for it."""
    try:
        kernel.die_with_parent()
        leave_groups()
        unshare_run(kernel)
        os.write(ready_w, b"u")
        if os.read(go_r, 1) != b"g":
            os._exit(125)  # A has reported why
        become_root_inside()
        kernel.set_dumpable()
    except OSError as exc:
        send(status, "F", f"entering the run's namespaces: {exc}")
        os._exit(125)
    os.close(ready_w)
    os.close(go_r)
    pid = os.fork()
    if pid == 0:
        _first(kernel, status, mode, limits, name, source, program)
    send(status, "B", pid)
    status.close()
    for fd in (0, 1, 2, 3):
        os.close(fd)
    exit_like(os.waitpid(pid, 0)[1])


def _first(kernel, status, mode, limits, name, source, program):
    """P1: finish the run's root and network, then supervise the script's process."""
    step = "preparing the run's root"
    capture = mode.endswith("+tap")  # the grading asked for the run's packets
    mode = mode.removesuffix("+tap")
    try:
        kernel.die_with_parent()
        scratch_kb, shm_kb = (int(x) * 1024 for x in limits.split(",")[5:7])
        finish_run_root(kernel, scratch_kb, shm_kb)
        os.chdir(SCRATCH)
        script = write_copy(source, SCRATCH, name)
        step = "the run's network"
        listeners = [listen_here()] if mode == "ns-up" else []
        if not listeners:
            bring_up_loopback()
        step = "capturing the run's packets"
        tap = open_tap() if capture else None  # before any code of the learner's runs
    except OSError as exc:
        send(status, "F", f"{step}: {exc}")
        os._exit(125)
    del source
    supervisor = Supervisor(kernel, status, routed=False)
    confine = Confinement(kernel, program)
    supervisor.start(
        lambda: run_script(3, "ns", limits, script, confine, shown_as=name), listeners, tap
    )
    for fd in (0, 1, 2, 3):
        os.close(fd)
    kernel.set_undumpable()  # nothing of the run may read or trace its supervisor
    os._exit(0 if supervisor.run() is not None else 1)  # the kernel ends the namespace's rest


def _prepare(kernel, wanted, run_ids, hidden):
    """Import what runs need; in namespace mode enter the minimal root. Returns whether it did.

    ``hidden`` are folders under the interpreter's prefix to cover in the root (the grader's
    package, when it is installed there).
    """
    import importlib

    for name in PRELOAD:
        importlib.import_module(name)
    if wanted == "routed":
        return False
    # The interpreter itself, not a virtual environment's link to it: only the base prefix is
    # in the minimal root, and a script may start ``sys.executable``.
    sys.executable = os.path.realpath(sys.executable)
    first, last = run_ids

    def build_and_probe():
        enter_own_root(kernel, sys.base_prefix, sys.executable, hidden)
        if os.getuid() != 0:
            return probe(kernel, os.getuid())
        uid, lock = take_run_id(first, last, set())
        try:
            return uid is not None and probe(kernel, uid)
        finally:
            if lock is not None:
                lock.close()

    # Tried in a child first: a half-built root must not be left in the zygote that serves.
    pid = os.fork()
    if pid == 0:
        try:
            os._exit(0 if build_and_probe() else 1)
        except BaseException:
            os._exit(1)
    if os.waitpid(pid, 0)[1] != 0:
        return False
    enter_own_root(kernel, sys.base_prefix, sys.executable, hidden)
    return True


def _run_caps(limits):
    """The run's cgroup caps from its limits: memory in bytes, tasks (its own, A, B and P1)."""
    fields = limits.split(",")
    return int(fields[7]) * 1024 * 1024, int(fields[4]) + 3


def zygote(chan_fd, wanted, run_ids, hidden=()):
    """Serve runs: one datagram (mode, limits and six descriptors) in, one forked child out."""
    import array
    import select

    kernel = Kernel()
    chan = _socket.socket(fileno=chan_fd)
    root = os.getuid() == 0
    groups = RunGroups.open() if wanted != "routed" else None  # before leaving the host's files
    namespaces = _prepare(kernel, wanted, run_ids, list(hidden))
    if groups is not None and not namespaces:
        groups.close()
        groups = None
    program = build_filter(kernel.machine) if namespaces else b""
    ready = b"R\t" + (b"namespace" if namespaces else b"routed")
    chan.send(ready + (b"\tcgroup" if groups is not None else b""))
    poller = select.poll()
    poller.register(chan_fd, select.POLLIN)
    children = {}  # pidfd -> (pid, status socket, run id, run id lock, cgroup name)
    space = _socket.CMSG_SPACE(FDS_PER_RUN * 4)
    while True:
        for fd, _events in poller.poll():
            if fd != chan_fd:
                pid, status, _uid, lock, group = children.pop(fd)
                poller.unregister(fd)
                os.close(fd)
                ended = os.waitpid(pid, 0)[1]
                # The memory cgroup's kills during the run: the grader says "memory limit".
                oom = groups.oom_kills(group) if group is not None else 0
                send(status, "X", ended, oom)
                status.close()
                if lock is not None:
                    lock.close()  # A is gone, so is every process that ran as this id
                if group is not None:
                    groups.release(group)
                continue
            data, ancdata, _flags, _addr = chan.recvmsg(65536, space)
            fds = array.array("i")
            for level, kind, payload in ancdata:
                if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
                    fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
            if not data:
                if groups is not None:
                    groups.close()
                os._exit(0)  # the grader is gone; running children end by their own watchdogs
            if len(fds) != FDS_PER_RUN:
                for f in fds:
                    os.close(f)
                continue
            status = _socket.socket(fileno=fds[STATUS_FD])
            mode, _, limits = data.decode("ascii", "replace").partition("\0")
            uid, lock = os.getuid(), None
            failure = ""
            if namespaces and root:
                held = {entry[2] for entry in children.values()}
                uid, lock = take_run_id(run_ids[0], run_ids[1], held)
                failure = "every id of [isolation] run_ids is in use; widen it"
            group, procs = None, []
            if groups is not None and uid is not None:
                try:
                    group, procs = groups.make(*_run_caps(limits))
                except OSError as exc:
                    uid = None
                    failure = f"cannot make the run's cgroup: {exc}"
            if uid is None:
                send(status, "F", failure)
                send(status, "X", 125 << 8, 0)
                status.close()
                if lock is not None:
                    lock.close()
                for i, f in enumerate(fds):
                    if i != STATUS_FD:
                        os.close(f)
                continue
            pid = os.fork()
            if pid == 0:
                try:
                    forget = [chan, status] + [e[1] for e in children.values()]
                    forget += [e[3] for e in children.values() if e[3] is not None]
                    if lock is not None:
                        forget.append(lock)
                    _child(kernel, mode, limits, list(fds), forget, namespaces, uid, program, procs)
                finally:
                    os._exit(125)
            for f in procs:
                os.close(f)
            for i, f in enumerate(fds):
                if i != STATUS_FD:
                    os.close(f)
            pidfd = os.pidfd_open(pid)
            poller.register(pidfd, select.POLLIN)
            children[pidfd] = (pid, status, uid, lock, group)
            send(status, "A", pid)


def main(hidden=()):
    """Entry point: ``python -I -c <loader> <channel fd> <mode> <first>-<last run id>``.

    The loader (``grader.observe.zygote``) hands the sandbox's modules over as source text, so
    that no path of the grader's installation is in this process's arguments or memory.
    """
    first, _, last = sys.argv[3].partition("-")
    zygote(int(sys.argv[1]), sys.argv[2], (int(first), int(last)), hidden)
