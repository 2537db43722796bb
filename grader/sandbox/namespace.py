"""Entering a run's namespaces and building what it sees (network, mounts, processes).

Strategy: each step is a named function called in a fixed order by ``grader.sandbox.zygote``; a
failure raises ``OSError`` naming its step, and the run is reported as not set up (a grader fault).
"""

import _socket
import os

from grader.sandbox.kernel import (
    CLONE_NEWNET,
    CLONE_NEWNS,
    CLONE_NEWPID,
    CLONE_NEWUSER,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_REC,
)

LESSON_PORT = 9090


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


def listen_here(ctrl):
    """Bind the lesson's address inside this namespace and give the listeners to the grader."""
    import struct

    bring_up_loopback()
    listeners = []
    for family, host in ((_socket.AF_INET, "127.0.0.1"), (_socket.AF_INET6, "::1")):
        s = _socket.socket(family, _socket.SOCK_STREAM)
        try:
            if family == _socket.AF_INET6:
                s.setsockopt(_socket.IPPROTO_IPV6, _socket.IPV6_V6ONLY, 1)
            s.bind((host, LESSON_PORT))
            s.listen(16)
        except OSError:
            s.close()  # no IPv6 in this kernel: IPv4 alone still serves the lesson's address
            continue
        listeners.append(s)
    fds = [s.fileno() for s in listeners]
    ctrl.sendmsg(
        [b"L"], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, struct.pack(f"{len(fds)}i", *fds))]
    )
    for s in listeners:
        s.close()


def write_file(path, text):
    with open(path, "w") as f:
        f.write(text)


def enter_namespaces(kernel):
    """Become root of new user, network, PID and mount namespaces (PID: for our children)."""
    uid, gid = os.getuid(), os.getgid()
    kernel.unshare(CLONE_NEWUSER | CLONE_NEWNET | CLONE_NEWPID | CLONE_NEWNS)
    write_file("/proc/self/setgroups", "deny")
    write_file("/proc/self/uid_map", f"0 {uid} 1")
    write_file("/proc/self/gid_map", f"0 {gid} 1")


def seal_file_system(kernel, scratch):
    """Everything read-only but the scratch folder and /dev; a /proc of this PID namespace."""
    import errno

    kernel.mount(None, "/", None, MS_REC | MS_PRIVATE)
    kernel.mount(scratch, scratch, None, MS_BIND | MS_REC)
    try:
        kernel.set_readonly("/", True, recursive=True)
    except OSError as exc:
        if exc.errno != errno.ENOSYS:
            raise
        # Linux before 5.12 has no mount_setattr: namespaces still isolate network and
        # processes, but the files stay writable (the README says so).
    else:
        kernel.set_readonly(scratch, False, recursive=True)
        if os.path.ismount("/dev"):
            kernel.set_readonly("/dev", False, recursive=False)  # /dev/null stays writable
    kernel.mount("proc", "/proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC)


def probe(kernel):
    """Whether a child can enter the namespaces and seal its file system on this machine."""
    pid = os.fork()
    if pid == 0:
        try:
            enter_namespaces(kernel)
            inner = os.fork()
            if inner == 0:
                try:
                    seal_file_system(kernel, "/tmp")
                except BaseException:
                    os._exit(1)
                os._exit(0)
            os._exit(os.waitstatus_to_exitcode(os.waitpid(inner, 0)[1]))
        except BaseException:
            os._exit(1)
    return os.waitpid(pid, 0)[1] == 0
