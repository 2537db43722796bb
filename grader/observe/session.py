"""One run of a learner's script against the reference server: the I/O edge that observes.

Strategy: a single selector per run drives the learner's process (output, lifecycle), the
control channel from its interpreter and every server socket; nothing sleeps and every wait is
bounded. The run's lifecycle (``grader.observe.lifecycle``) comes from outside the learner's
processes: when the kernel stops the script's process in its exit (``H`` from the run's
supervisor), the kernel's view of its sockets is taken (``grader.observe.sockets``) and the FIN
of every socket it released is read; then it is let go. At a kill the same view is taken first.
The time limit runs from the moment the script's process exists, not from the request. When
every process of the run is gone the server side is drained to each connection's FIN or RST,
and the records are frozen into an ``Observation``. Judging happens elsewhere.
"""

from __future__ import annotations

import os
import select
import selectors
import socket
import stat
import tempfile
import time
from pathlib import Path
from typing import Literal

from grader.config import Limits
from grader.errors import GraderFault
from grader.observe.lifecycle import Event
from grader.observe.packets import PacketTap
from grader.observe.process import LearnerProcess
from grader.observe.records import Observation, SocketsAtExit, Transcript
from grader.observe.sockets import SocketDiag, look
from grader.observe.trace import TraceReader
from grader.observe.wire import WireRecorder
from grader.observe.zygote import Zygote, run_environment
from grader.problem.protocol import ServerSession
from grader.problem.spec import ProblemSpec, RunSpec

DRAIN_S = 2.0  # after the process ended: the kernel has closed its sockets, so this is a bound
KILL_GRACE_S = 5.0  # after a kill: how long the tree may take to be gone
# How long a socket the kernel shows closed may take to show its FIN at the server (bounded by
# the run's deadline too). The FIN was queued when it closed: this is a bound, not a wait.
SETTLE_S = 2.0
SETUP_S = 30.0  # from the request to the script's process: set-up on a loaded machine
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
    capture: bool = False,
) -> Observation:
    """Run ``source`` (the bytes of ``script``, read once) as ``run`` describes; record it.

    ``capture``: record the run's packets too (namespace mode only: the run's own loopback).

    In namespace mode the run's scratch folder is a tmpfs of its own (``SANDBOX_SCRATCH``); in
    routed mode it is a fresh folder here, removed after the run.
    """
    scratch = SANDBOX_SCRATCH if in_namespace else Path(tempfile.mkdtemp(prefix="grade-"))
    parent, child = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    refusers: list[socket.socket] = []
    sel = selectors.DefaultSelector()
    proc: LearnerProcess | None = None
    wire: WireRecorder | None = None
    diag: SocketDiag | None = None
    tap: PacketTap | None = None
    try:
        server = spec.make_server(seed)
        reply = server.answer if server.replies else None
        wire = WireRecorder(
            sel,
            lambda: ServerSession(run.expected_bytes, reply),
            max_connections=limits.max_connections,
            max_bytes=limits.max_received_kb * 1024,
            reported_only=not in_namespace,
        )
        if in_namespace:
            mode = "ns-up" if run.server_up else "ns-down"
            mode += "+tap" if capture else ""
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
        # What the zygote hears: the mode and the limits. What the run's own processes read
        # (never the zygote, so that no later run finds it in the zygote's memory): the
        # submission's name, where it runs, its environment, its bytes.
        payload = f"{mode}\0{rlimits}".encode("ascii")
        fields = [str(script), str(scratch)]
        fields += [f"{k}={v}" for k, v in run_environment(str(scratch)).items()]
        request = "\0".join(fields).encode("utf-8", "surrogateescape") + b"\0\0" + source
        trace = TraceReader(parent)
        parent.setblocking(False)
        view: list[SocketsAtExit | None] = [None]

        def catch_up() -> None:
            # The script's reports were sent before its exit, on another channel than the
            # supervisor's: read what is queued, so the connections it reported are served.
            poller = select.poll()
            poller.register(parent, select.POLLIN)
            while not trace.closed and poller.poll(0):
                if not trace.on_readable():
                    break
            if not in_namespace:
                wire.admit(trace.reported_ports)

        def look_at_sockets(moment: Literal["exit", "stopped"], until: float) -> SocketsAtExit:
            assert proc is not None and wire is not None
            catch_up()
            wire.accept_pending()
            seen = look(proc.script_pid, diag, wire.endpoints(), moment)
            wire.settle({s.local_port for s in seen.sockets if not s.held}, until)
            return seen

        def on_event(event: Event) -> None:
            nonlocal diag, tap
            assert proc is not None and wire is not None
            if event == "P":
                if proc.tap is not None:
                    tap = PacketTap(sel, proc.tap)
                    proc.tap = None
                wire.listen_on(proc.listeners)
                proc.listeners = []
                diag = SocketDiag(proc.diag) if proc.diag is not None else SocketDiag.here()
                proc.diag = None
            elif event == "H" and view[0] is None:
                # The kernel holds the script's process in its exit: look, then let it go.
                view[0] = look_at_sockets("exit", time.monotonic() + SETTLE_S)
                proc.release()

        def on_control() -> None:
            if not trace.on_readable():
                sel.unregister(parent)
                return
            if not in_namespace:
                wire.admit(trace.reported_ports)

        proc = LearnerProcess(
            zygote,
            payload,
            request,
            child.fileno(),
            run.stdin.encode("utf-8"),
            limits.output_kb * 1024,
            routed=not in_namespace,
            on_event=on_event,
        )
        sel.register(parent, selectors.EVENT_READ, on_control)
        requested_at = time.monotonic()
        proc.start(sel)
        child.close()
        killed_at: float | None = None
        while not proc.done:
            now = time.monotonic()
            deadline = proc.started_at + time_limit_s if proc.started_at else requested_at + SETUP_S
            if killed_at is None and (proc.overflow or (now >= deadline and proc.timed)):
                proc.timed_out = not proc.overflow
                # Its start (sent before its first line ran) may still be queued behind a flood
                # of its output: read it first, so its listener and its process are seen.
                proc.catch_up(sel)
                if view[0] is None and proc.script_pid is not None:
                    view[0] = look_at_sockets("stopped", now)
                wire.note_kill()
                proc.kill()
                killed_at = now
            elif killed_at is None and now >= deadline and proc.life.state == "requested":
                proc.kill()  # the run did not come up in time: a fault of the grader's side
                killed_at = now
                raise GraderFault(f"a run was not set up within {SETUP_S:g} s")
            if killed_at is not None and now >= killed_at + KILL_GRACE_S:
                break  # the tree did not die in time: reap() below kills again and waits
            if killed_at is not None:
                wait = killed_at + KILL_GRACE_S - now
            elif proc.timed or proc.life.state == "requested":
                wait = deadline - now
            else:
                wait = KILL_GRACE_S  # held, or the script is gone: its supervisor reports next
            for key, _events in sel.select(timeout=max(wait, 0.0)):
                key.data()
        proc.reap(sel, time.monotonic() + KILL_GRACE_S)
        if proc.failure:
            raise GraderFault(f"a run could not be set up: {proc.failure}")
        if proc.unexplained:
            raise GraderFault("a run ended without its supervisor's report of the script")
        # Whatever the interpreter reported last is queued; its senders are gone, so this ends.
        # One bound for every wait from here: in routed mode an escaped process may still hold
        # the channel and write to it (a time-out reads as the channel's end).
        after = time.monotonic() + DRAIN_S
        parent.setblocking(True)
        while not trace.closed and (left := after - time.monotonic()) > 0:
            parent.settimeout(left)
            if not trace.on_readable():
                break
        if not in_namespace:
            wire.admit(trace.reported_ports)
        if run.server_up:
            transcript = wire.finish(after)
        else:
            transcript = Transcript(server_up=False, connections=())
        packets = tap.finish() if tap is not None else None  # the run and its server are over
        if capture and packets is None:
            raise GraderFault(
                "the run's packets were asked for, but the run did not hand them over"
            )
        return Observation(
            run_name=run.name,
            stdin=run.stdin.encode("utf-8"),
            process=proc.outcome(proc.stages(trace.started_at, time.monotonic())),
            wire=transcript,
            trace=trace.record(),
            sockets=view[0],
            capture=packets,
        )
    finally:
        if proc is not None:
            if not proc.life.over:
                proc.kill()  # the grader failed mid-run: the script must not outlive it
                try:
                    proc.reap(sel, time.monotonic() + KILL_GRACE_S)
                except GraderFault:
                    pass  # already failing: the first fault is the one reported
            proc.close(sel)
        if diag is not None:
            diag.close()
        if tap is not None:
            tap.close()
        if wire is not None:
            wire.abandon()
        for s in refusers:
            s.close()
        parent.close()
        child.close()
        sel.close()
        if not in_namespace:
            remove_tree(scratch)
