"""The few system calls Python 3.11's os module lacks, through ctypes, and their constants."""

import os

CLONE_NEWNS, CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x20000, 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_BIND, MS_REC, MS_PRIVATE = (
    1,
    2,
    4,
    8,
    4096,
    16384,
    1 << 18,
)
MOUNT_ATTR_RDONLY, AT_RECURSIVE, AT_FDCWD, SYS_MOUNT_SETATTR = 1, 0x8000, -100, 442
PR_SET_PDEATHSIG = 1
FDS_PER_RUN = 5  # stdin, stdout, stderr, control, status


class Kernel:
    """The few system calls Python 3.11's os module lacks, through ctypes (loaded once)."""

    def __init__(self):
        import ctypes

        self.ctypes = ctypes
        self.libc = ctypes.CDLL(None, use_errno=True)

    def _check(self, result, what):
        if result != 0:
            errno = self.ctypes.get_errno()
            raise OSError(errno, f"{what}: {os.strerror(errno)}")

    def unshare(self, flags):
        self._check(self.libc.unshare(flags), "unshare")

    def mount(self, source, target, fstype, flags):
        enc = lambda v: None if v is None else os.fsencode(v)  # noqa: E731
        self._check(self.libc.mount(enc(source), enc(target), enc(fstype), flags, None), "mount")

    def set_readonly(self, path, readonly, recursive):
        attr = self.ctypes.c_uint64 * 4  # struct mount_attr: set, clr, propagation, userns_fd
        value = attr(MOUNT_ATTR_RDONLY, 0, 0, 0) if readonly else attr(0, MOUNT_ATTR_RDONLY, 0, 0)
        flags = AT_RECURSIVE if recursive else 0
        result = self.libc.syscall(
            SYS_MOUNT_SETATTR, AT_FDCWD, os.fsencode(path), flags, self.ctypes.byref(value), 32
        )
        self._check(result, "mount_setattr")

    def die_with_parent(self):
        self._check(self.libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0), "prctl")
