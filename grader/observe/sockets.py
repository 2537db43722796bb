"""The kernel's view of a run's connections: is each client socket still there, and who holds it.

Strategy: while the script's process is stopped by the kernel in its exit (or just before it is
killed at the time limit), ask the kernel two things about each connection's client socket.
First, whether the socket still exists: one exact lookup by its ports through the run's own
``NETLINK_SOCK_DIAG`` socket (made inside the run's network namespace and handed to the grader)
gives its TCP state and inode; a socket closed by every holder is orphaned (inode 0) or gone,
while one still referred to by anything (a descriptor, a memory mapping, a descriptor parked in
a Unix socket message) keeps its inode. The reference server does not close its side before the
run ends, so a client socket that is still open stays in the kernel's table. Second, who holds
it: the run's processes (the supervisor's descendants) and their socket descriptors, each
duplicated into the grader (``pidfd_getfd``) and asked its ports, or where the kernel refuses
that (ptrace rules, as an ordinary user on some machines) matched by inode through
``/proc/<pid>/fd``. What the script's interpreter reported never enters here: this is the proof
of a close, the reports only its explanation. Read-only, and bounded by what the run may hold.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import os
import socket
import struct
import threading
from collections.abc import Iterable
from typing import Literal

from grader.observe.records import SocketsAtExit, SocketState

TCP_STATES = {
    1: "ESTABLISHED",
    2: "SYN_SENT",
    3: "SYN_RECV",
    4: "FIN_WAIT1",
    5: "FIN_WAIT2",
    6: "TIME_WAIT",
    7: "CLOSE",
    8: "CLOSE_WAIT",
    9: "LAST_ACK",
    10: "LISTEN",
    11: "CLOSING",
    12: "NEW_SYN_RECV",
}

Entry = tuple[int, int, str, int]  # local port, remote port, state, inode
SYS_PIDFD_GETFD = 438  # the same number on every architecture (added after the tables merged)


def _parent(pid: int) -> int:
    """The parent of process ``pid``, or 0 when it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            stat = f.read()
    except OSError:
        return 0
    return int(stat[stat.rindex(b")") + 2 :].split()[1])


def _processes() -> dict[int, int]:
    """Every process the grader can see: pid -> its parent (0: it ended meanwhile)."""
    return {int(name): _parent(int(name)) for name in os.listdir("/proc") if name.isdigit()}


@functools.cache
def _children_listed() -> bool:
    """Whether this kernel lists each thread's children (``/proc/PID/task/TID/children``)."""
    return os.path.exists(f"/proc/self/task/{threading.get_native_id()}/children")


def _children(pid: int) -> list[int]:
    """The children of every thread of ``pid`` (none when it is gone)."""
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    found: list[int] = []
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                found += [int(word) for word in f.read().split()]
        except OSError:
            continue  # the thread ended meanwhile
    return found


def run_processes(script_pid: int) -> tuple[int, ...]:
    """The run's processes: the script's and every other descendant of its supervisor.

    The supervisor (PID 1 of the run's namespace, or the run's first process in routed mode,
    a child subreaper) is the script's parent and inherits every orphan of the run. Walked down
    from it where the kernel lists children (a few files), else from a table of every process.
    """
    if not _children_listed():
        return _run_processes_from_table(script_pid)
    supervisor = _parent(script_pid)
    run = {script_pid}
    frontier = [supervisor if supervisor > 1 else script_pid]
    seen = set(frontier)
    while frontier:
        for child in _children(frontier.pop()):
            if child not in seen:
                seen.add(child)
                run.add(child)
                frontier.append(child)
    return tuple(sorted(run))


def _run_processes_from_table(script_pid: int) -> tuple[int, ...]:
    table = _processes()
    supervisor = table.get(script_pid, 0)
    run = {script_pid}
    frontier = {supervisor} if supervisor > 1 else {script_pid}
    seen = set(frontier)
    while frontier:
        frontier = {pid for pid, ppid in table.items() if ppid in frontier} - seen
        seen |= frontier
        run |= frontier
    return tuple(sorted(run))


NETLINK_SOCK_DIAG, SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, NLMSG_ERROR = 4, 20, 1, 2
INET_DIAG_NOCOOKIE = 0xFFFFFFFF


class SocketDiag:
    """Exact lookups of TCP sockets by their ports, in the network namespace ``sock`` was made in.

    One request and one answer per lookup, with no walk of the kernel's tables (reading
    ``/proc/net/tcp`` walks all of them: milliseconds; this costs microseconds).
    """

    def __init__(self, sock: socket.socket) -> None:
        self.sock = sock
        self.sock.settimeout(1.0)  # a bound only: the kernel answers at once
        self._seq = 0

    @classmethod
    def here(cls) -> SocketDiag:
        """A lookup socket in the grader's own network namespace (routed mode)."""
        return cls(socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_SOCK_DIAG))

    def lookup(
        self, local: int, remote: int, local_ip: str = "127.0.0.1", remote_ip: str = "127.0.0.1"
    ) -> tuple[str, int] | None:
        """(TCP state, inode) of the TCP socket with these ports and addresses, or None when it
        is gone. An IPv6 socket connected to ``::ffff:127.0.0.1`` is found by its IPv4 ones."""
        self._seq += 1
        family = socket.AF_INET6 if ":" in local_ip or ":" in remote_ip else socket.AF_INET
        try:
            mine = socket.inet_pton(family, local_ip).ljust(16, b"\0")
            theirs = socket.inet_pton(family, remote_ip).ljust(16, b"\0")
        except OSError:
            return None
        sockid = struct.pack("!HH16s16s", local, remote, mine, theirs)
        sockid += struct.pack("=III", 0, INET_DIAG_NOCOOKIE, INET_DIAG_NOCOOKIE)
        request = struct.pack("=BBBBI", family, socket.IPPROTO_TCP, 0, 0, 0xFFFFFFFF)
        request += sockid
        header = struct.pack(
            "=IHHII", 16 + len(request), SOCK_DIAG_BY_FAMILY, NLM_F_REQUEST, self._seq, 0
        )
        try:
            self.sock.send(header + request)
            while True:
                answer = self.sock.recv(8192)
                if len(answer) >= 16 and struct.unpack_from("=I", answer, 8)[0] == self._seq:
                    break
        except OSError:
            return None
        if len(answer) < 16 + 4 + 48 + 20 or struct.unpack_from("=H", answer, 4)[0] == NLMSG_ERROR:
            return None  # ENOENT: no such socket any more
        state = answer[17]
        inode = struct.unpack_from("=I", answer, 16 + 4 + 48 + 16)[0]
        return TCP_STATES.get(state, str(state)), inode

    def close(self) -> None:
        self.sock.close()


def _holders(pids: Iterable[int], inodes: set[int]) -> dict[int, list[int]]:
    """inode -> the pids among ``pids`` with a descriptor linking to that socket."""
    links = {f"socket:[{inode}]": inode for inode in inodes}
    held: dict[int, list[int]] = {}
    for pid in pids:
        try:
            fds = os.listdir(f"/proc/{pid}/fd")
        except OSError:
            continue
        for fd in fds:
            try:
                target = os.readlink(f"/proc/{pid}/fd/{fd}")
            except OSError:
                continue
            if target in links:
                owners = held.setdefault(links[target], [])
                if pid not in owners:
                    owners.append(pid)
    return held


class NoAccess(Exception):
    """The kernel does not let the grader duplicate the run's descriptors (ptrace rules)."""


def _getfd(pidfd: int, fd: int) -> int:
    """A duplicate, in this process, of descriptor ``fd`` of the process behind ``pidfd``."""
    libc = ctypes.CDLL(None, use_errno=True)
    dup = libc.syscall(SYS_PIDFD_GETFD, pidfd, fd, 0)
    if dup < 0:
        err = ctypes.get_errno()
        if err in (errno.EPERM, errno.EACCES, errno.ENOSYS):
            raise NoAccess(os.strerror(err))
        raise OSError(err, os.strerror(err))
    return int(dup)


def can_duplicate(script_pid: int | None) -> bool:
    """Whether the grader may look into the script's descriptors (``pidfd_getfd``)."""
    if script_pid is None:
        return False
    try:
        pidfd = os.pidfd_open(script_pid)
    except OSError:
        return False
    try:
        os.close(_getfd(pidfd, 0))
    except (NoAccess, OSError):
        return False
    finally:
        os.close(pidfd)
    return True


def _tcp_ends(pidfd: int, fd: int) -> tuple[int, int | None, str] | None:
    """(local port, remote port or None, TCP state) of a TCP socket descriptor, else None."""
    dup = _getfd(pidfd, fd)
    try:
        sock = socket.socket(fileno=dup)
    except OSError:
        os.close(dup)
        return None
    try:
        if sock.family not in (socket.AF_INET, socket.AF_INET6):
            return None
        if sock.type != socket.SOCK_STREAM:
            return None
        local = sock.getsockname()[1]
        try:
            remote: int | None = sock.getpeername()[1]
        except OSError:
            remote = None  # no longer connected (its connection ended while it stayed open)
        state = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_INFO, 1)[0]
        return local, remote, TCP_STATES.get(state, str(state))
    except OSError:
        return None
    finally:
        sock.close()  # our duplicate only: the script's descriptor is untouched


def _by_descriptors(
    pids: Iterable[int], wanted: list[tuple[int, int]]
) -> dict[tuple[int, int], tuple[str, list[int]]]:
    """For each wanted connection held by some descriptor: its TCP state and the holders.

    Every socket descriptor of the run is duplicated and asked its ports; a closed socket is
    held by none. Raises ``NoAccess`` where the kernel refuses.
    """
    clients = {client: server for client, server in wanted}
    seen: dict[str, tuple[int, int | None, str] | None] = {}
    held: dict[tuple[int, int], tuple[str, list[int]]] = {}
    for pid in pids:
        try:
            pidfd = os.pidfd_open(pid)
        except OSError:
            continue  # it ended meanwhile
        try:
            for fd in os.listdir(f"/proc/{pid}/fd"):
                try:
                    target = os.readlink(f"/proc/{pid}/fd/{fd}")
                except OSError:
                    continue
                if not target.startswith("socket:"):
                    continue
                if target not in seen:
                    try:
                        seen[target] = _tcp_ends(pidfd, int(fd))
                    except OSError:
                        seen[target] = None  # closed meanwhile
                ends = seen[target]
                if ends is None or ends[0] not in clients:
                    continue
                server = clients[ends[0]]
                if ends[1] not in (server, None):
                    continue  # the same port number towards somewhere else
                state, owners = held.setdefault((ends[0], server), (ends[2], []))
                if pid not in owners:
                    owners.append(pid)
        except OSError:
            continue
        finally:
            os.close(pidfd)
    return held


def look(
    script_pid: int | None,
    diag: SocketDiag | None,
    endpoints: Iterable[tuple[int, int, str, str]],
    moment: Literal["exit", "stopped"],
    duplicate: bool = True,
) -> SocketsAtExit:
    """The state of each connection ``(client port, server port, client address, server
    address)`` as the kernel shows it
    now: held while the socket exists (its inode) or a descriptor of the run refers to it.

    ``duplicate=False`` takes the way used where the kernel refuses ``pidfd_getfd`` (holders by
    inode through ``/proc/<pid>/fd``) even where it allows it.
    """
    given = list(endpoints)
    wanted = [(client, server) for client, server, _mine, _theirs in given]
    if script_pid is None or diag is None:
        return SocketsAtExit(moment, 0, (), (), readable=False)
    pids = run_processes(script_pid)
    listed = {(c, s): diag.lookup(c, s, mine, theirs) for c, s, mine, theirs in given}
    try:
        if not duplicate:
            raise NoAccess("asked not to duplicate")
        by_fd = _by_descriptors(pids, wanted)
    except NoAccess:
        # As an ordinary user where ptrace is restricted: holders by the socket's inode.
        inodes = {found[1] for found in listed.values() if found is not None and found[1]}
        links = _holders(pids, inodes)
        by_fd = {}
        for key, found in listed.items():
            if found is not None and found[1] in links:
                by_fd[key] = (found[0], links[found[1]])
    states = []
    for key in wanted:
        found = listed[key]
        tcp_state, inode = found if found is not None else ("gone", 0)
        if key in by_fd:
            states.append(SocketState(key[0], key[1], by_fd[key][0], True, tuple(by_fd[key][1])))
        else:
            # Held without a descriptor of the run: a memory mapping, a message in flight.
            states.append(
                SocketState(key[0], key[1], tcp_state if inode else "released", inode != 0)
            )
    return SocketsAtExit(moment, script_pid, pids, tuple(states))
