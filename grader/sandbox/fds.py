"""Descriptors of the sandbox's processes: passed between them, placed, and let go of.

Strategy: every process of a run begins as a copy of one that held more than it may keep (the
zygote's channel, other runs' sockets). Each takes what is sent to it (``receive``), puts its
own where it expects them (``place``) and closes all the rest (``close_all_but``), so nothing it
inherited outlives the moment it is needed.
"""

import _socket
import array
import fcntl
import os

TOP = 1 << 20  # above any descriptor a process here holds


def send(sock, data, fds):
    """One datagram, ``data`` with descriptors ``fds`` attached (SCM_RIGHTS)."""
    sock.sendmsg(
        [data], [(_socket.SOL_SOCKET, _socket.SCM_RIGHTS, array.array("i", fds).tobytes())]
    )


def receive(sock, size, count):
    """One datagram of at most ``size`` bytes and the descriptors (room for ``count``) with it."""
    data, ancdata, _flags, _addr = sock.recvmsg(size, _socket.CMSG_SPACE(count * 4))
    fds = array.array("i")
    for level, kind, payload in ancdata:
        if level == _socket.SOL_SOCKET and kind == _socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - len(payload) % fds.itemsize])
    return data, list(fds)


def close_all_but(keep):
    """Close every descriptor of this process but ``keep``."""
    low = 0
    for fd in sorted(set(keep)):
        if fd > low:  # closerange(0, 0) would close everything (close_range(0, -1))
            os.closerange(low, fd)
        low = fd + 1
    os.closerange(low, TOP)


def place(fds, keep=()):
    """Put ``fds`` at 0, 1, 2, ... (0-2 inherited by an exec, the rest not) and close every
    other descriptor but ``keep`` (numbers above those placed)."""
    high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 64) for fd in fds]
    for target, fd in enumerate(high):
        os.dup2(fd, target, inheritable=target < 3)
    close_all_but([*range(len(fds)), *keep])


def moved(fd, at=None):
    """``fd`` moved to number ``at``, or (None) to a number of 64 or more; closed where it was."""
    if at is None:
        new = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 64)
    elif fd != at:
        new = os.dup2(fd, at, inheritable=False)
    else:
        return fd
    os.close(fd)
    return new
