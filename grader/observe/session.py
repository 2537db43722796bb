"""One run of a learner's script against the reference server: the I/O edge that observes.

Strategy: a single selector per run drives the learner's process (output, exit), the control
channel from its interpreter and every server socket; nothing sleeps and every wait is bounded by
the run's deadline. When the script's interpreter says it is about to exit (``Z``) it is held
alive while the kernel's view of its sockets is taken (``grader.observe.sockets``) and the FIN
of every socket it released is read; then it is let go (``K``). At a kill the same view is
taken first. When the process has ended (or was ended at the time limit or on an output flood)
the server side is drained to each connection's FIN or RST, and the records are frozen into an
``Observation``. Judging happens elsewhere.
"""

from __future__ import annotations

import os
import selectors
import socket
import stat
import tempfile
import time
from pathlib import Path
from typing import Literal

from grader.config import Limits
from grader.errors import GraderFault
from grader.observe.process import LearnerProcess
from grader.observe.records import Observation, SocketsAtExit, Transcript
from grader.observe.sockets import can_duplicate, client_inode, look
from grader.observe.trace import TraceReader
from grader.observe.wire import WireRecorder
from grader.observe.zygote import Zygote
from grader.problem.protocol import ServerSession
from grader.problem.spec import ProblemSpec, RunSpec

DRAIN_S = 2.0  # after the process ended: the kernel has closed its sockets, so this is a bound
KILL_GRACE_S = 5.0  # after a kill: how long the tree may take to be gone
# How long a socket the kernel shows closed may take to show its FIN at the server (bounded by
# the run's deadline too). The FIN was queued when it closed: this is a bound, not a wait.
SETTLE_S = 2.0
SANDBOX_SCRATCH = Path("/scratch")  # the run's own tmpfs in its minimal root (namespace mode)


def _routed_sockets(up: bool) -> tuple[list[socket.socket], list[socket.socket], str]:
    """The lesson's listener (when ``up``) and bound-but-not-listening refusers, on ephemeral
    loopback ports. The lesson's server listens over IPv4 only, so IPv6 gets a refuser alone."""

    def bound(family: socket.AddressFamily, host: str) -> socket.socket:
        s = socket.socket(family, socket.SOCK_STREAM)
        try:
            s.bind((host, 0))
        except OSError:
            s.close()
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))  # no IPv6 here: route ::1 to an IPv4 port
        return s

    # Bound, never listening: a connect is refused (RST).
    refusers = [bound(socket.AF_INET, "127.0.0.1"), bound(socket.AF_INET6, "::1")]
    listeners = [bound(socket.AF_INET, "127.0.0.1")] if up else []
    for s in listeners:
        s.listen(16)
    lesson = (listeners or refusers)[0]
    ports = [s.getsockname()[1] for s in (lesson, *refusers)]
    # route:<the lesson's address>:<refused over IPv4>:<refused over IPv6>
    return listeners, refusers, "route:" + ":".join(str(p) for p in ports)


def _environment(scratch: Path) -> dict[str, str]:
    """A small, fixed environment: nothing of the grader's own leaks into the script."""
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": str(scratch),
        "TMPDIR": str(scratch),
        "LANG": "C.UTF-8",
        "LC_ALL": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",  # the run's own streams are unbuffered too (sandbox/script.py)
    }


def remove_tree(path: Path) -> None:
    """Remove the scratch folder, even where the script took away its own permissions.

    Only what is inside ``path`` is touched, never the folder above it (``/tmp`` itself): the
    script may have removed its folder or put a link in its place. Each folder is opened
    without following links and its mode changed through that descriptor, so a link swapped in
    meanwhile leads nowhere outside.
    """
    top = os.open(path.parent, os.O_RDONLY | os.O_DIRECTORY)
    try:
        _remove_entry(path.name, top)
    finally:
        os.close(top)


def _remove_entry(name: str, dir_fd: int) -> None:
    try:
        os.unlink(name, dir_fd=dir_fd)  # a file or a link: removed, never followed
        return
    except FileNotFoundError:
        return
    except IsADirectoryError:
        pass
    except PermissionError:
        pass  # a folder (EISDIR is EPERM for unlink on Linux) or one we must open up first
    try:
        handle = os.open(name, os.O_PATH | os.O_NOFOLLOW | os.O_DIRECTORY, dir_fd=dir_fd)
    except (FileNotFoundError, NotADirectoryError):
        return
    try:
        os.chmod(f"/proc/self/fd/{handle}", stat.S_IRWXU)  # this folder, wherever links point
        folder = os.open(f"/proc/self/fd/{handle}", os.O_RDONLY | os.O_DIRECTORY)
    finally:
        os.close(handle)
    try:
        for entry in os.listdir(folder):
            _remove_entry(entry, folder)
    finally:
        os.close(folder)
    os.rmdir(name, dir_fd=dir_fd)


def observe(
    script: Path,
    run: RunSpec,
    spec: ProblemSpec,
    limits: Limits,
    time_limit_s: float,
    zygote: Zygote,
    in_namespace: bool,
    seed: int,
    source: bytes,
) -> Observation:
    """Run ``source`` (the bytes of ``script``, read once) as ``run`` describes; record it.

    In namespace mode the run's scratch folder is a tmpfs of its own (``SANDBOX_SCRATCH``); in
    routed mode it is a fresh folder here, removed after the run.
    """
    scratch = SANDBOX_SCRATCH if in_namespace else Path(tempfile.mkdtemp(prefix="grade-"))
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    refusers: list[socket.socket] = []
    sel = selectors.DefaultSelector()
    proc: LearnerProcess | None = None
    wire: WireRecorder | None = None
    inodes: dict[tuple[int, int], int] = {}  # client socket inodes, seen at accept
    try:
        server = spec.make_server(seed)
        reply = server.answer if server.replies else None
        wire = WireRecorder(
            sel,
            lambda: ServerSession(run.expected_bytes, reply),
            max_connections=limits.max_connections,
            max_bytes=limits.max_received_kb * 1024,
            reported_only=not in_namespace,
            on_accept=lambda client, server, v6: remember_inode(client, server, v6),
        )
        if in_namespace:
            mode = "ns-up" if run.server_up else "ns-down"
        else:
            listeners, refusers, mode = _routed_sockets(run.server_up)
            wire.listen_on(listeners)
        cpu_s = int(time_limit_s) + 2  # a backstop: the wall-clock deadline is ours
        rlimits = ",".join(
            str(n)
            for n in (
                limits.memory_mb,
                limits.file_size_mb,
                limits.open_files,
                cpu_s,
                limits.processes,
                limits.scratch_mb,
                limits.shm_mb,
                limits.run_memory_mb,
            )
        )
        # What the zygote's child runs: NUL-separated, the environment last.
        fields = [mode, rlimits, str(script), str(scratch)]
        fields += [f"{k}={v}" for k, v in _environment(scratch).items()]
        payload = "\0".join(fields).encode("utf-8", "surrogateescape")
        stdin = run.stdin.encode("utf-8")
        proc = LearnerProcess(
            zygote, payload, child.fileno(), stdin, limits.output_kb * 1024, source
        )
        trace = TraceReader(parent)
        parent.setblocking(False)

        def on_control() -> None:
            if not trace.on_readable():
                sel.unregister(parent)
                return
            wire.listen_on(trace.take_listeners())
            if not in_namespace:
                wire.admit(trace.reported_ports)
            if trace.exiting and view[0] is None:
                # The interpreter is held alive at exit: look at its sockets, then let it go.
                view[0] = look_at_sockets("exit", min(time.monotonic() + SETTLE_S, deadline))
                try:
                    parent.send(b"K")
                except OSError:
                    pass  # it ended already: nothing is held

        def remember_inode(client: int, server: int, v6: bool) -> None:
            # Only needed where the run's descriptors cannot be looked into (see sockets.look).
            until = min(time.monotonic() + SETTLE_S, deadline)
            pid = proc.script_pid(sel, in_namespace, until) if proc is not None else None
            if duplicable[0] is None:
                duplicable[0] = can_duplicate(pid)
            if not duplicable[0]:
                inodes[(client, server)] = client_inode(pid, client, server, v6)

        duplicable: list[bool | None] = [None]

        def look_at_sockets(moment: Literal["exit", "stopped"], until: float) -> SocketsAtExit:
            assert proc is not None and wire is not None
            wire.accept_pending()
            pid = proc.script_pid(sel, in_namespace, until)
            seen = look(pid, in_namespace, wire.endpoints(), inodes, moment)
            wire.settle({s.local_port for s in seen.sockets if not s.held}, until)
            return seen

        view: list[SocketsAtExit | None] = [None]
        sel.register(parent, selectors.EVENT_READ, on_control)
        proc.start(sel)
        child.close()
        deadline = proc.started_at + time_limit_s
        hard_deadline = deadline + KILL_GRACE_S
        killed = False
        while not proc.done:
            now = time.monotonic()
            if not killed and (now >= deadline or proc.overflow):
                proc.timed_out = now >= deadline and not proc.overflow
                if view[0] is None:
                    view[0] = look_at_sockets("stopped", now)
                wire.note_kill()
                proc.kill()
                killed = True
            if now >= hard_deadline:
                break  # the tree did not die in time: reap() below kills again and waits
            wait = (deadline if not killed else hard_deadline) - now
            for key, _events in sel.select(timeout=max(wait, 0.0)):
                key.data()
        proc.reap(sel, time.monotonic() + KILL_GRACE_S)
        if proc.failure:
            raise GraderFault(f"a run could not be set up: {proc.failure}")
        # Whatever the interpreter reported last is queued; its senders are gone, so this ends.
        # One bound for every wait from here: in routed mode an escaped process may still hold
        # the channel and write to it (a time-out reads as the channel's end).
        after = time.monotonic() + DRAIN_S
        parent.setblocking(True)
        while not trace.closed and (left := after - time.monotonic()) > 0:
            parent.settimeout(left)
            if not trace.on_readable():
                break
            wire.listen_on(trace.take_listeners())
        if not in_namespace:
            wire.admit(trace.reported_ports)
        if run.server_up:
            transcript = wire.finish(after)
        else:
            transcript = Transcript(server_up=False, connections=())
        return Observation(
            run_name=run.name,
            stdin=run.stdin.encode("utf-8"),
            process=proc.outcome(),
            wire=transcript,
            trace=trace.record(),
            sockets=view[0],
        )
    finally:
        if proc is not None:
            if not proc.exited:
                proc.kill()  # the grader failed mid-run: the script must not outlive it
                proc.reap(sel, time.monotonic() + KILL_GRACE_S)
            proc.close(sel)
        if wire is not None:
            wire.abandon()
        for s in refusers:
            s.close()
        parent.close()
        child.close()
        sel.close()
        if not in_namespace:
            remove_tree(scratch)
