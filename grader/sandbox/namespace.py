"""Entering a run's namespaces, its ids and network, and leaving its privileges behind.

Strategy: each step is a named function called in a fixed order by ``grader.sandbox.zygote``; a
failure raises ``OSError`` naming its step, and the run is reported as not set up (a grader fault).
The run's first process is born in the new namespaces (``clone_run``), and the zygote, which stays
in its own user namespace, writes that process's id maps: only from there may an id other than
the writer's own be mapped.
A root grader takes that id from a configured range, one per run at a time (``take_run_id``).
``Confinement`` is the run's last step before the script: no capabilities, then seccomp.
"""

import _socket
import os

from grader.sandbox.kernel import (
    CLONE_NEWIPC,
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    CLONE_NEWUTS,
)
from grader.sandbox.lesson import LESSON_HOST, LESSON_PORT


def bring_up_loopback():
    import fcntl
    import struct

    siocgifflags, siocsifflags, iff_up = 0x8913, 0x8914, 0x1
    s = _socket.socket(_socket.AF_INET, _socket.SOCK_DGRAM)
    try:
        flags = struct.unpack("16sh", fcntl.ioctl(s, siocgifflags, struct.pack("16sh", b"lo", 0)))[
            1
        ]
        fcntl.ioctl(s, siocsifflags, struct.pack("16sh", b"lo", flags | iff_up))
    finally:
        s.close()


def listen_here():
    """Bind the lesson's address inside this namespace (its loopback is up): the listener.

    IPv4 only, as the lesson's server on 127.0.0.1:9090: an IPv6 connection ([::1]:9090, or
    'localhost' on an AF_INET6 socket) is refused, as it would be against that server.
    """
    s = _socket.socket(_socket.AF_INET, _socket.SOCK_STREAM)
    s.bind((LESSON_HOST, LESSON_PORT))
    s.listen(16)
    return s


ETH_P_ALL, SOL_PACKET, PACKET_IGNORE_OUTGOING = 0x0003, 263, 23
SO_TIMESTAMPNS = 35


def open_tap():
    """A packet socket on this namespace's loopback: every frame of the run, as the grader reads.

    Loopback shows each frame twice (outgoing, then incoming); the kernel is asked to leave the
    outgoing copies out (Linux 4.20), and the grader keeps one copy per frame either way.
    """
    # Made with no protocol, so that the bind below starts the capture: re-binding a socket that
    # already captures waits for the kernel's RCU grace period (synchronize_net), some 15 ms.
    s = _socket.socket(_socket.AF_PACKET, _socket.SOCK_RAW, 0)
    try:
        try:
            s.setsockopt(SOL_PACKET, PACKET_IGNORE_OUTGOING, 1)
        except OSError:
            pass
        s.setsockopt(_socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)  # from the first frame on
        s.bind(("lo", ETH_P_ALL))  # Python puts the address's protocol in network order
    except OSError:
        s.close()
        raise
    return s


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)


RUN_NAMESPACES = (
    CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC
)


def leave_groups():
    """Drop supplementary groups before a new user namespace keeps them (root grader only)."""
    if os.getuid() == 0:
        os.setgroups([])


def clone_run(kernel):
    """Fork a process born in the run's new user, mount, network, UTS, IPC and PID namespaces:
    PID 1 there. Returns 0 in it, its pid (as this side sees it) here.

    Its ids are unmapped until this side writes them (``map_ids``): it waits for that before
    taking them (``become_root_inside``).
    """
    return kernel.clone(RUN_NAMESPACES)


def map_ids(pid, outside):
    """Map uid and gid 0 of ``pid``'s new user namespace to ``outside`` (from the parent's side).

    An id other than the writer's own needs CAP_SETUID in the parent namespace, so this runs in
    the zygote, which stays there; an ordinary user's grader maps its own id.
    """
    write_file(f"/proc/{pid}/setgroups", "deny")
    write_file(f"/proc/{pid}/uid_map", f"0 {outside} 1")
    write_file(f"/proc/{pid}/gid_map", f"0 {outside if os.getuid() == 0 else os.getgid()} 1")


def become_root_inside():
    """Take uid and gid 0 of the new namespace (the mapped, unprivileged id outside)."""
    os.setresgid(0, 0, 0)
    os.setresuid(0, 0, 0)


def probe(kernel, outside):
    """Whether a run's first process can be made and finish its root on this machine."""
    from grader.sandbox.root import finish_run_root

    go_r, go_w = os.pipe()
    pid = clone_run(kernel)
    if pid == 0:
        try:
            os.close(go_w)
            if os.read(go_r, 1) != b"g":
                os._exit(1)
            become_root_inside()
            finish_run_root(kernel, 64, 64)
            kernel.drop_capabilities()
            kernel.no_new_privs()
        except BaseException:
            os._exit(1)
        os._exit(0)
    os.close(go_r)
    try:
        map_ids(pid, outside)
        os.write(go_w, b"g")
    except OSError:
        pass  # without its ids the child ends: the probe fails
    finally:
        os.close(go_w)
    return os.waitpid(pid, 0)[1] == 0


def take_run_id(first, last, held):
    """An unprivileged id from ``first``-``last`` no other run on this machine holds now.

    Held as a bound abstract Unix socket name (one network namespace, every grader on the host
    sees it); the kernel frees it when the socket closes, the zygote's death included.
    """
    for uid in range(first, last + 1):
        if uid in held:
            continue
        lock = _socket.socket(_socket.AF_UNIX, _socket.SOCK_SEQPACKET)
        try:
            lock.bind(f"\0socket-grader-run-id-{uid}")
        except OSError:
            lock.close()
            continue
        return uid, lock
    return None, None


class Confinement:
    """The last steps before the script: drop every capability, then the seccomp filter."""

    def __init__(self, kernel, program):
        self.kernel = kernel
        self.program = program
        self.dropped = False

    def drop_privileges(self):
        """Before any thread starts: capability sets are per thread. The bounding set was
        emptied by the run's PID 1 while the run was prepared; the script's process inherits it.
        Done once (a prepared run's script process does it before its run is known)."""
        if self.dropped:
            return
        self.kernel.drop_capabilities(bounding=False)
        self.kernel.no_new_privs()
        self.dropped = True

    def seal(self):
        self.kernel.install_filter(self.program)


def protect_from_oom(pid):
    """The run's first process is never its memory cgroup's victim (written from outside: the
    kernel asks for a capability of the first user namespace). Written once the script's process
    is forked: a score written with that capability is also a floor any later write may go
    down to, and a child inherits both. Where the grader lacks CAP_SYS_RESOURCE, it stays as it
    is."""
    try:
        write_file(f"/proc/{pid}/oom_score_adj", "-1000")
    except OSError:
        pass
