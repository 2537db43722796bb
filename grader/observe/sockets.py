"""The kernel's view of a run's connections: is each client socket still held, and by whom.

Strategy: while the script's interpreter is held at exit (or just before it is killed at the
time limit), find the run's processes (every process of its PID namespace; in routed mode its
process group and whatever descends from the script) and ask the kernel about each of their
socket descriptors: each is duplicated into the grader (``pidfd_getfd``) and asked its ports;
a TCP socket whose local port is a connection's client port still holds that connection. A
closed socket is held by no descriptor. Where the kernel refuses the duplicate (ptrace rules,
as an ordinary user on some machines), the TCP table of the run's own network namespace
(``/proc/<pid>/net/tcp``, ``tcp6``) is read instead: an open socket is listed with its inode,
a closed one is orphaned (inode 0) or gone, and descriptors linking to ``socket:[inode]`` name
who holds it (the inode is also taken when the connection is accepted, since a socket shut
down and then closed by the server leaves the table while still open). What the script's
interpreter reported never enters here: this is the proof of a close, the reports only its
explanation. Read-only, and bounded by what the run may hold (its processes and descriptors
are limited). (The two ways of looking share this module and its records.)
"""

from __future__ import annotations

import ctypes
import errno
import os
import socket
from collections.abc import Iterable, Mapping
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


def _processes() -> dict[int, tuple[int, int]]:
    """Every process the grader can see: pid -> (parent pid, process group)."""
    found: dict[int, tuple[int, int]] = {}
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                stat = f.read()
        except OSError:
            continue  # it ended meanwhile
        fields = stat[stat.rindex(b")") + 2 :].split()
        found[int(name)] = (int(fields[1]), int(fields[2]))
    return found


def run_processes(script_pid: int, namespace: bool) -> tuple[int, ...]:
    """The run's processes: the script's and its descendants; in routed mode its group too.

    In a PID namespace the script's process is PID 1, which inherits every orphan: its
    descendants are all of the namespace's processes.
    """
    table = _processes()
    run = {script_pid}
    if not namespace:
        run |= {pid for pid, (_ppid, group) in table.items() if group == script_pid}
    frontier = set(run)
    while frontier:
        frontier = {pid for pid, (ppid, _g) in table.items() if ppid in frontier} - run
        run |= frontier
    return tuple(sorted(run))


def _tcp_table(pid: int, tables: Iterable[str] = ("tcp", "tcp6")) -> list[Entry] | None:
    """Client-relevant columns of the TCP tables of ``pid``'s network namespace.

    Each table costs milliseconds to read (the kernel walks its whole connection hash), so
    only the ones that can hold the connections asked about are read.
    """
    entries: list[Entry] = []
    read_any = False
    for name in tables:
        try:
            with open(f"/proc/{pid}/net/{name}", encoding="ascii") as f:
                lines = f.read().splitlines()[1:]
        except OSError:
            continue  # no IPv6 in this kernel, or the process is gone
        read_any = True
        for line in lines:
            cols = line.split()
            if len(cols) < 10:
                continue
            local, remote = cols[1].rpartition(":")[2], cols[2].rpartition(":")[2]
            state = TCP_STATES.get(int(cols[3], 16), cols[3])
            entries.append((int(local, 16), int(remote, 16), state, int(cols[9])))
    return entries if read_any else None


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


def client_inode(script_pid: int | None, client: int, server: int, v6: bool) -> int:
    """The inode of a connection's client socket now (0: closed already, or not seen).

    Read when the server accepts the connection, before it reads or closes anything: the
    client's socket is then in the table whenever it is open. Later it may leave the table
    while still open (after ``shutdown()`` and the server's own close it ends in TIME_WAIT and
    the socket itself is unhashed), so at exit its descriptors are found by this inode.
    """
    table = _tcp_table(script_pid, ("tcp6" if v6 else "tcp",)) if script_pid else None
    for local, remote, _state, inode in table or ():
        if (local, remote) == (client, server) and inode:
            return inode
    return 0


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
    namespace: bool,
    endpoints: Iterable[tuple[int, int, bool]],
    inodes: Mapping[tuple[int, int], int],
    moment: Literal["exit", "stopped"],
) -> SocketsAtExit:
    """The state of each connection ``(client port, server port, IPv6)`` as the kernel shows
    it now. ``inodes`` are the client sockets' inodes seen when each connection was accepted.
    """
    given = list(endpoints)
    wanted = [(client, server) for client, server, _v6 in given]
    if script_pid is None:
        return SocketsAtExit(moment, 0, (), (), readable=False)
    pids = run_processes(script_pid, namespace)
    try:
        held = _by_descriptors(pids, wanted)
    except NoAccess:
        pass  # as an ordinary user where ptrace is restricted: the kernel's tables instead
    else:
        return SocketsAtExit(
            moment,
            script_pid,
            pids,
            tuple(
                SocketState(c, s, held[(c, s)][0], True, tuple(held[(c, s)][1]))
                if (c, s) in held
                else SocketState(c, s, "released", False)
                for c, s in wanted
            ),
        )
    names = sorted({"tcp6" if v6 else "tcp" for _c, _s, v6 in given}) or ["tcp"]
    table = _tcp_table(script_pid, names)
    if table is None:
        return SocketsAtExit(moment, script_pid, pids, (), readable=False)
    listed: dict[tuple[int, int], list[Entry]] = {}
    keys = set(wanted)
    for entry in table:
        if (entry[0], entry[1]) in keys:
            listed.setdefault((entry[0], entry[1]), []).append(entry)
    known = {inodes.get(key, 0) for key in wanted}
    live = {e[3] for found in listed.values() for e in found if e[3]}
    holders = _holders(pids, (known | live) - {0})
    states = []
    for key in wanted:
        found = listed.get(key, [])
        inode = next((e[3] for e in found if e[3]), 0) or inodes.get(key, 0)
        tcp_state = next((e[2] for e in found if e[3]), found[0][2] if found else "gone")
        # Held: listed with an inode (some descriptor or message still refers to it), or a
        # descriptor of the run still links to the inode it had when it was accepted.
        still = inode in live or bool(inode and holders.get(inode))
        states.append(SocketState(key[0], key[1], tcp_state, still, tuple(holders.get(inode, ()))))
    return SocketsAtExit(moment, script_pid, pids, tuple(states))
