"""The few system calls Python 3.11's os module lacks, through ctypes, and their constants.

Strategy: one ``Kernel`` object loads libc once (in the zygote, before any fork); each method is a
thin wrapper that raises ``OSError`` naming the call. Numbers of calls libc does not wrap come from
``SYSCALLS`` by machine (x86_64 and aarch64: the two the grader supports).
"""

import os

CLONE_NEWNS, CLONE_NEWUTS, CLONE_NEWIPC = 0x20000, 0x4000000, 0x8000000
CLONE_NEWUSER, CLONE_NEWPID, CLONE_NEWNET = 0x10000000, 0x20000000, 0x40000000
MS_RDONLY, MS_NOSUID, MS_NODEV, MS_NOEXEC, MS_REMOUNT, MS_BIND, MS_REC, MS_PRIVATE = (
    1,
    2,
    4,
    8,
    32,
    4096,
    16384,
    1 << 18,
)
MNT_DETACH = 2
PR_SET_PDEATHSIG, PR_SET_DUMPABLE, PR_CAPBSET_DROP, PR_SET_NO_NEW_PRIVS = 1, 4, 24, 38
PR_CAP_AMBIENT = 47
PR_CAP_AMBIENT_CLEAR_ALL = 4
LINUX_CAPABILITY_VERSION_3 = 0x20080522
SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC = 1, 1
SIGCHLD = 17  # the child's exit signal, as fork() asks for (the same on x86_64 and aarch64)

# machine -> call -> number (the generic table serves aarch64)
SYSCALLS = {
    "x86_64": {"pivot_root": 155, "seccomp": 317, "clone": 56},
    "aarch64": {"pivot_root": 41, "seccomp": 277, "clone": 220},
}


class Kernel:
    """The few system calls Python 3.11's os module lacks, through ctypes (loaded once)."""

    def __init__(self):
        import ctypes

        self.ctypes = ctypes
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.machine = os.uname().machine
        self.numbers = SYSCALLS.get(self.machine, {})

    def _check(self, result, what):
        if result != 0:
            errno = self.ctypes.get_errno()
            raise OSError(errno, f"{what}: {os.strerror(errno)}")

    def _syscall(self, name, *args):
        if name not in self.numbers:
            raise OSError(38, f"{name}: not supported on {self.machine}")
        self._check(self.libc.syscall(self.numbers[name], *args), name)

    def clone(self, flags):
        """Fork into new namespaces (``flags``): the child is born in them, PID 1 of a new PID
        namespace included, so no intermediate process is needed. Returns 0 in the child.

        The raw call with no new stack copies the address space as ``fork()`` does (bubblewrap
        does the same); libc's and Python's fork handlers do not run, so the child must stay
        this single thread's own code until it forks with ``os.fork()`` (which runs them).
        """
        if "clone" not in self.numbers:
            raise OSError(38, f"clone: not supported on {self.machine}")
        pid = self.libc.syscall(self.numbers["clone"], flags | SIGCHLD, 0, 0, 0, 0)
        if pid < 0:
            self._check(-1, "clone")
        return pid

    def unshare(self, flags):
        self._check(self.libc.unshare(flags), "unshare")

    def mount(self, source, target, fstype, flags, data=None):
        enc = lambda v: None if v is None else os.fsencode(v)  # noqa: E731
        result = self.libc.mount(enc(source), enc(target), enc(fstype), flags, enc(data))
        self._check(result, f"mount {target}")

    def umount(self, target, flags=0):
        self._check(self.libc.umount2(os.fsencode(target), flags), f"umount {target}")

    def pivot_root(self, new_root, put_old):
        self._syscall("pivot_root", os.fsencode(new_root), os.fsencode(put_old))

    def sethostname(self, name):
        raw = name.encode()
        self._check(self.libc.sethostname(raw, len(raw)), "sethostname")

    def die_with_parent(self):
        self._check(self.libc.prctl(PR_SET_PDEATHSIG, 9, 0, 0, 0), "prctl")

    def set_dumpable(self):
        """Undo the kernel's reset after an id change: the run's /proc/self files are its own."""
        self._check(self.libc.prctl(PR_SET_DUMPABLE, 1, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")

    def set_undumpable(self):
        """No process without privileges over this one may trace it or read its memory."""
        self._check(self.libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0), "prctl(PR_SET_DUMPABLE)")

    def drop_bounding_set(self):
        """Empty the bounding set: no later exec, here or in a child, can gain a capability."""
        for cap in range(64):
            if self.libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
                if self.ctypes.get_errno() == 22:  # EINVAL: past the last capability
                    break
                self._check(-1, "prctl(PR_CAPBSET_DROP)")

    def drop_capabilities(self, bounding=True):
        """Empty this thread's bounding (unless emptied already: ``bounding=False``), ambient,
        effective, permitted and inheritable sets."""
        if bounding:
            self.drop_bounding_set()
        self._check(self.libc.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0), "ambient")
        header = (self.ctypes.c_uint32 * 2)(LINUX_CAPABILITY_VERSION_3, 0)
        data = (self.ctypes.c_uint32 * 6)()  # two of {effective, permitted, inheritable}: all 0
        self._check(self.libc.capset(header, data), "capset")

    def no_new_privs(self):
        self._check(self.libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "prctl(NO_NEW_PRIVS)")

    def install_filter(self, program):
        """Install the classic BPF ``program`` (bytes) as a seccomp filter on every thread."""
        count = len(program) // 8
        buf = self.ctypes.create_string_buffer(program, len(program))

        class Prog(self.ctypes.Structure):
            _fields_ = [("len", self.ctypes.c_ushort), ("filter", self.ctypes.c_void_p)]

        prog = Prog(count, self.ctypes.addressof(buf))
        self._syscall(
            "seccomp", SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_TSYNC, self.ctypes.byref(prog)
        )
