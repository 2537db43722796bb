"""The zygote: a warm interpreter that forks one child per run.

Strategy: a run costs a fork, not an interpreter start. Every child is a copy of the pristine
zygote, never of an earlier run, so nothing a script does reaches the next one; and the zygote
never learns anything about a submission (its name, its bytes, its environment): those reach the
run's own processes after the fork, through a descriptor only that run holds, so no later run
finds them in its copy of the zygote's memory. Before serving, the zygote imports everything a
run needs (nothing is imported from the host after a script starts, so a learner's
``threading.py`` cannot stand in) and, in namespace mode, moves itself into the minimal root
(``grader.sandbox.root``). Per run, in namespace mode, two processes: the first is born in the
run's namespaces, PID 1 there (``grader.sandbox.namespace.clone_run``; the zygote writes its id
maps from outside); it joins the run's cgroups, finishes the run's root and network and
supervises (``grader.sandbox.supervisor``) the second, the script's process. In routed mode the
first process is the supervisor. The grader's side is ``grader.observe.process``.
"""

import _socket
import os
import sys

from grader.sandbox import fds as descriptors
from grader.sandbox.cgroup import RunGroups
from grader.sandbox.channel import send
from grader.sandbox.kernel import Kernel
from grader.sandbox.namespace import (
    Confinement,
    become_root_inside,
    bring_up_loopback,
    clone_run,
    leave_groups,
    listen_here,
    map_ids,
    open_tap,
    probe,
    protect_from_oom,
    take_run_id,
)
from grader.sandbox.root import SCRATCH, enter_own_root, finish_run_root
from grader.sandbox.script import run_script
from grader.sandbox.seccomp import build_filter
from grader.sandbox.supervisor import Supervisor, end_orphans

FDS_PER_RUN = 6  # stdin, stdout, stderr, control, status, the run's request (memfd)
STATUS_FD, REQUEST_FD = 4, 5
REFILL_IDLE_MS = 2  # no request for this long: prepare the pool's next run
# Imported before any fork: a run must not import these from its own folder (a learner's
# threading.py) nor need the host's files for them (the minimal root has only the stdlib).
PRELOAD = (
    "array ast atexit encodings.idna errno fcntl linecache opcode resource select signal struct "
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


def _routed(kernel, mode, limits, fds, forget):
    """Routed mode's first process: arrange the process, then supervise the script."""
    for sock in forget:
        sock.detach()  # the zygote's own sockets: their numbers are closed below, never reused
    kernel.die_with_parent()
    descriptors.place(fds)  # the run's six, at 0-5
    status = _socket.socket(fileno=STATUS_FD)
    os.set_inheritable(STATUS_FD, False)
    name, cwd, env, source = read_request(REQUEST_FD)
    os.setsid()
    os.environ.clear()
    os.environ.update(item.split("=", 1) for item in env)
    os.chdir(cwd)
    script = write_copy(source, cwd, name)
    del source
    supervisor = Supervisor(kernel, routed=True)
    supervisor.fork(lambda words: run_script(3, mode, limits, script, shown_as=name))
    supervisor.begin(status, b"", [0, 1, 2, 3])
    for fd in (0, 1, 2, 3):
        os.close(fd)  # only the script's process holds its streams and its control channel
    status_code = supervisor.run()
    end_orphans()
    exit_like(status_code)


def _slot(kernel, chan, go_r, forget, program, shape, cgroup_procs):
    """A prepared run's PID 1, born in the run's namespaces: join its groups, wait for its ids,
    finish its root and loopback, say it is ready, then wait for the claim.

    Everything here is the same for every run of this shape: nothing of a submission is known
    until the claim reaches it (``_claimed``) through ``chan``.
    """
    try:
        kernel.die_with_parent()  # a zygote that ends takes its prepared runs with it
        # Nothing of the zygote's is held a moment longer than needed (a request sent to a
        # zygote that died would reach its channel while a copy of it lived on here).
        for sock in forget:
            sock.detach()  # the zygote's own sockets: their numbers are closed below, never reused
        descriptors.close_all_but([chan.fileno(), go_r, *cgroup_procs])
        RunGroups.join(cgroup_procs)  # first: everything the run starts is counted
        if os.read(go_r, 1) != b"g":
            os._exit(125)  # the zygote could not map the ids: a preparation failure
        os.close(go_r)
        chan = _socket.socket(fileno=descriptors.moved(chan.detach(), 3))
        descriptors.close_all_but([3])
        become_root_inside()
        kernel.set_dumpable()
        os.setsid()
        _nproc, scratch_mb, shm_mb, _memory = (int(x) for x in shape.split(","))
        finish_run_root(kernel, scratch_mb * 1024, shm_mb * 1024)
        os.chdir(SCRATCH)
        bring_up_loopback()
        kernel.drop_bounding_set()  # for the script's process, which inherits it: off its path
        # The script's process too, seized and waiting for its descriptors (see _script).
        supervisor = Supervisor(kernel, routed=False)
        confine = Confinement(kernel, program)
        # Its capabilities go at once, before its run is known.
        supervisor.fork(
            lambda words: _script(words, confine), forget=[chan], early=confine.drop_privileges
        )
        chan.send(b"R")
    except OSError:
        os._exit(125)  # a preparation failure: the zygote discards the slot
    _claimed(chan, supervisor)


def _claimed(chan, supervisor):
    """P1, claimed: take the run's descriptors and request, then let the script's process go
    and supervise it."""
    try:
        data, fds = descriptors.receive(chan, 256, FDS_PER_RUN)
    except OSError:
        os._exit(125)
    if not data or len(fds) != FDS_PER_RUN:
        os._exit(125)  # discarded unclaimed: the zygote is ending
    chan.close()
    mode, _, limits = data.decode("ascii", "replace").partition("\0")
    capture = mode.endswith("+tap")  # the grading asked for the run's packets
    mode = mode.removesuffix("+tap")
    descriptors.place(fds, keep=(supervisor.hand.fileno(), supervisor.script_fd))
    status = _socket.socket(fileno=STATUS_FD)
    os.set_inheritable(STATUS_FD, False)
    step = "reading the run's request"
    try:
        name, _cwd, env, source = read_request(REQUEST_FD)
        step = "writing the submission's copy"
        script = write_copy(source, SCRATCH, name)
        del source
        step = "the run's network"
        listeners = [listen_here()] if mode == "ns-up" else []
        step = "capturing the run's packets"
        tap = open_tap() if capture else None  # before any code of the learner's runs
    except OSError as exc:
        send(status, "F", f"{step}: {exc}")
        os._exit(125)
    words = "\0".join([limits, script, name, *env]).encode("utf-8", "surrogateescape")
    supervisor.begin(status, words, [0, 1, 2, 3], listeners, tap)
    for fd in (0, 1, 2, 3):
        os.close(fd)
    os._exit(0 if supervisor.run() is not None else 1)  # the kernel ends the namespace's rest


def _script(words, confine):
    """The script's process of a prepared run, let go: its request's words, then the script."""
    limits, script, name, *env = words.decode("utf-8", "surrogateescape").split("\0")
    os.environ.clear()
    os.environ.update(item.split("=", 1) for item in env if "=" in item)
    run_script(3, "ns", limits, script, confine, shown_as=name)


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
    try:
        leave_groups()  # a run's user namespace would keep them, unchangeable (root grader only)
    except OSError:
        return False  # setgroups denied here: runs cannot be made without them
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


def _run_caps(shape):
    """The run's cgroup caps from its shape: memory in bytes, tasks (its own and PID 1's)."""
    nproc, _scratch, _shm, memory_mb = (int(x) for x in shape.split(","))
    return memory_mb * 1024 * 1024, nproc + 1


def shape_of(limits):
    """What a prepared run has fixed of a run's limits: tasks, scratch, /dev/shm, memory."""
    fields = limits.split(",")
    return ",".join(fields[4:8])


class Zygote:
    """The serving loop's state: prepared runs (the pool), runs under way, and their sockets.

    The pool follows Android's zygote (USAP): each slot is a fresh copy of this process, forked
    ahead of any request and prepared up to the point where the submission is needed (run id,
    cgroups joined, namespaces entered, ids mapped, root finished, loopback up; PID 1 waiting on
    the slot's channel). A claim hands PID 1 the run's descriptors; the slot is never reused.
    Slots are made again right after a claim, and discarded when the zygote ends or when one
    dies unclaimed (a preparation failure, never a run's); after ``MAX_POOL_FAILURES`` of those
    in a row, runs are prepared on demand only. A request of another shape is prepared on demand
    by the same code, then claimed at once.
    """

    MAX_POOL_FAILURES = 3

    def __init__(self, kernel, chan, namespaces, groups, program, run_ids, pool_size, shape):
        import select

        self.kernel = kernel
        self.chan = chan
        self.namespaces = namespaces
        self.groups = groups
        self.program = program
        self.run_ids = run_ids
        self.pool_size = pool_size if namespaces else 0
        self.shape = shape
        self.poller = select.poll()
        self.pool = []  # slots in the order they were made: the oldest is claimed first
        self.slots = {}  # A's pidfd -> slot (dict): pooled or claimed
        self.by_chan = {}  # slot channel's fd -> slot, until B's "R"
        self.failures = 0

    def sockets(self):
        """Every socket object this process holds: a new child detaches them all."""
        held = [self.chan]
        for slot in self.slots.values():
            held += [x for x in (slot["chan"], slot["status"], slot["lock"]) if x is not None]
        return held

    def prepare(self, shape):
        """Fork a slot of ``shape``; None when no run id or cgroup can be had."""
        import select

        uid, lock = os.getuid(), None
        if os.getuid() == 0:
            held = {slot["uid"] for slot in self.slots.values()}
            uid, lock = take_run_id(self.run_ids[0], self.run_ids[1], held)
            if uid is None:
                return None, "every id of [isolation] run_ids is in use; widen it"
        group, procs = None, []
        if self.groups is not None:
            try:
                group, procs = self.groups.make(*_run_caps(shape))
            except OSError as exc:
                if lock is not None:
                    lock.close()
                return None, f"cannot make the run's cgroup: {exc}"
        ours, theirs = _socket.socketpair(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
        forget = self.sockets() + [ours] + ([lock] if lock is not None else [])
        go_r, go_w = os.pipe()
        try:
            pid = clone_run(self.kernel)
        except OSError as exc:
            for f in (go_r, go_w, *procs):
                os.close(f)
            for sock in (ours, theirs, lock):
                if sock is not None:
                    sock.close()
            if group is not None:
                self.groups.release(group)
            return None, f"cannot make the run's first process: {exc}"
        if pid == 0:
            try:
                _slot(self.kernel, theirs, go_r, forget, self.program, shape, procs)
            finally:
                os._exit(125)
        os.close(go_r)
        theirs.close()
        for f in procs:
            os.close(f)
        try:
            map_ids(pid, uid)
            os.write(go_w, b"g")
        except OSError:
            pass  # no "g": the slot ends at once, a preparation failure (counted when reaped)
        finally:
            os.close(go_w)
        pidfd = os.pidfd_open(pid)
        slot = {"pid": pid, "pidfd": pidfd, "chan": ours, "uid": uid, "lock": lock,
                "group": group, "shape": shape, "status": None}  # fmt: skip
        self.slots[pidfd] = slot
        self.by_chan[ours.fileno()] = slot
        self.poller.register(pidfd, select.POLLIN)
        self.poller.register(ours.fileno(), select.POLLIN)
        return slot, ""

    def fill_one(self):
        """Prepare one slot for the pool; False when none can be made now."""
        slot, _why = self.prepare(self.shape)
        if slot is None:
            return False
        self.pool.append(slot)
        return True

    def refill_after(self):
        """How long to stay idle before preparing the next slot (ms), or None: not now.

        Off the critical path: only after a moment with no request, so that the runs of one
        grading, which arrive together, are each served before any slot is forked. Most of a
        slot's preparation is the kernel's waiting (moving into cgroups, making namespaces), in
        the slot's own processes, not in this loop.
        """
        if self.failures >= self.MAX_POOL_FAILURES or len(self.pool) >= self.pool_size:
            return None
        return REFILL_IDLE_MS

    def on_ready(self, fd):
        """PID 1's word: the slot is prepared (or, with nothing, it is ending)."""
        slot = self.by_chan.pop(fd)
        self.poller.unregister(fd)
        try:
            word = slot["chan"].recv(64)
        except OSError:
            word = b""
        if word == b"R" and slot["group"] is not None:
            # Only now: the script's process, forked already, keeps the default score and
            # floor, so that a learner cannot ask for PID 1's immunity back.
            protect_from_oom(slot["pid"])
        if word == b"R" and slot in self.pool:
            self.failures = 0

    def on_death(self, pidfd):
        """A slot's first process is gone: a run ended, or a prepared one failed or was dropped."""
        slot = self.slots.pop(pidfd)
        self.poller.unregister(pidfd)
        os.close(pidfd)
        ended = os.waitpid(slot["pid"], 0)[1]
        if slot["chan"].fileno() in self.by_chan:
            self.poller.unregister(slot["chan"].fileno())
            self.by_chan.pop(slot["chan"].fileno())
        slot["chan"].close()
        if slot in self.pool:
            self.pool.remove(slot)
            self.failures += 1
        if slot["status"] is not None:
            # The memory cgroup's kills during the run: the grader says "memory limit".
            oom = self.groups.oom_kills(slot["group"]) if slot["group"] is not None else 0
            send(slot["status"], "X", ended, oom)
            slot["status"].close()
        if slot["lock"] is not None:
            slot["lock"].close()  # A is gone, so is every process that ran as this id
        if slot["group"] is not None:
            self.groups.release(slot["group"])

    def claim(self, data, fds):
        """One request: a prepared slot of its shape (or one prepared now) takes the run."""
        status = _socket.socket(fileno=fds[STATUS_FD])
        mode, _, limits = data.decode("ascii", "replace").partition("\0")
        if not self.namespaces:
            self.routed(mode, limits, fds, status)
            return
        shape = shape_of(limits)
        slot = next((s for s in self.pool if s["shape"] == shape), None)
        why = ""
        if slot is not None:
            self.pool.remove(slot)
        else:
            slot, why = self.prepare(shape)
        if slot is None:
            send(status, "F", why)
            send(status, "X", 125 << 8, 0)
            status.close()
            for i, f in enumerate(fds):
                if i != STATUS_FD:
                    os.close(f)
            return
        slot["status"] = status
        send(status, "A", slot["pid"])
        send(status, "B", slot["pid"])  # the same process: PID 1 is the run's first
        payload = f"{mode}\0{limits}".encode("ascii")
        try:
            descriptors.send(slot["chan"], payload, fds)
        except OSError as exc:
            send(status, "F", f"handing the run to its prepared process: {exc}")
            os.kill(slot["pid"], 9)
        for i, f in enumerate(fds):
            if i != STATUS_FD:
                os.close(f)

    def routed(self, mode, limits, fds, status):
        """Routed mode: no namespaces to prepare; the first process supervises the script."""
        import select

        forget = self.sockets() + [status]
        pid = os.fork()
        if pid == 0:
            try:
                _routed(self.kernel, mode, limits, list(fds), forget)
            finally:
                os._exit(125)
        for i, f in enumerate(fds):
            if i != STATUS_FD:
                os.close(f)
        pidfd = os.pidfd_open(pid)
        closed, _ = _socket.socketpair()  # a slot channel of nothing: routed runs have none
        closed.close()
        self.slots[pidfd] = {"pid": pid, "pidfd": pidfd, "chan": closed, "uid": os.getuid(),
                             "lock": None, "group": None, "shape": "",
                             "status": status}  # fmt: skip
        self.poller.register(pidfd, select.POLLIN)
        send(status, "A", pid)

    def discard(self):
        """The zygote ends: every prepared slot goes (its PID 1, and with it its namespace)."""
        for slot in list(self.pool):
            try:
                os.kill(slot["pid"], 9)
            except OSError:
                pass
        for slot in list(self.pool):
            self.on_death(slot["pidfd"])


def zygote(chan_fd, wanted, run_ids, hidden=(), pool_size=0, shape=""):
    """Serve runs: one datagram (mode, limits and six descriptors) in, one run out."""
    import select

    kernel = Kernel()
    chan = _socket.socket(fileno=chan_fd)
    groups = RunGroups.open() if wanted != "routed" else None  # before leaving the host's files
    namespaces = _prepare(kernel, wanted, run_ids, list(hidden))
    if groups is not None and not namespaces:
        groups.close()
        groups = None
    program = build_filter(kernel.machine) if namespaces else b""
    ready = b"R\t" + (b"namespace" if namespaces else b"routed")
    chan.send(ready + (b"\tcgroup" if groups is not None else b""))
    state = Zygote(kernel, chan, namespaces, groups, program, run_ids, pool_size, shape)
    state.poller.register(chan_fd, select.POLLIN)
    while True:
        idle = state.refill_after()
        events = state.poller.poll(idle)
        if not events:
            if not state.fill_one():
                state.failures += 1
            continue
        # Slots first, so that the pool's state is exact before any request is served.
        for fd, _events in sorted(events, key=lambda e: e[0] == chan_fd):
            if fd in state.by_chan:
                state.on_ready(fd)
                continue
            if fd in state.slots:
                state.on_death(fd)
                continue
            if fd != chan_fd:
                continue
            data, fds = descriptors.receive(chan, 65536, FDS_PER_RUN)
            if not data:
                state.discard()
                if groups is not None:
                    groups.close()
                os._exit(0)  # the grader is gone; running children end by their own watchdogs
            if len(fds) != FDS_PER_RUN:
                for f in fds:
                    os.close(f)
                continue
            state.claim(data, fds)


def main(hidden=(), pool_size=0, shape=""):
    """Entry point: ``python -I -c <loader> <channel fd> <mode> <first>-<last run id>``.

    The loader (``grader.observe.zygote``) hands the sandbox's modules over as source text, so
    that no path of the grader's installation is in this process's arguments or memory.
    """
    first, _, last = sys.argv[3].partition("-")
    zygote(int(sys.argv[1]), sys.argv[2], (int(first), int(last)), hidden, pool_size, shape)
