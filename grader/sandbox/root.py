"""The minimal root every run sees, built once by the zygote, finished per run in a few mounts.

Strategy: the way bubblewrap and nsjail build one, but once. At start the zygote enters a mount
namespace of its own (as root: just that; as an ordinary user: with a user namespace mapping its
own uid), mounts a tmpfs, binds into it read-only what the interpreter needs (its base prefix and
the folders of the shared libraries it has loaded), a tmpfs ``/dev`` holding only null, zero,
full, random and urandom, a small ``/etc`` of our own (``localhost`` must resolve), a ``/proc``
of the host (a fresh proc may only be mounted where one is already fully visible), empty
``/scratch`` and ``/dev/shm`` mount points, makes it read-only and ``pivot_root``s itself into it.
From then on nothing of the host's files is reachable from the zygote or anything it forks; the
grader's package is not there (every module the sandbox needs is imported before).

Each run copies this namespace into a mount namespace owned by its own user namespace, which
locks every mount it inherits (no remount, no unmount revealing what is under); it then mounts
its own size-limited tmpfs on ``/scratch`` and ``/dev/shm`` and a fresh ``/proc`` of its PID
namespace with ``/proc/sys`` read-only. Its capabilities are dropped before the script runs, so
those are locked in turn.
"""

import os

from grader.sandbox.kernel import (
    CLONE_NEWNS,
    CLONE_NEWUSER,
    MNT_DETACH,
    MS_BIND,
    MS_NODEV,
    MS_NOEXEC,
    MS_NOSUID,
    MS_PRIVATE,
    MS_RDONLY,
    MS_REC,
    MS_REMOUNT,
)

SCRATCH = "/scratch"
DEVICES = ("null", "zero", "full", "random", "urandom")
HOSTS = "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
NSSWITCH = "hosts: files\n"
STAGE = "/tmp"  # where the root is built, inside the zygote's own mount namespace only
SAFE = MS_NOSUID | MS_NODEV
# Files a run may make in each tmpfs: a size alone lets empty files (an inode and a dentry
# each, a kilobyte of kernel memory that the size does not count) take hundreds of megabytes.
SCRATCH_INODES = 4096
SHM_INODES = 1024


def _write(path, text):
    with open(path, "w") as f:
        f.write(text)


def elf_interpreter(executable):
    """The program loader an ELF executable names (PT_INTERP), or None."""
    import struct

    with open(executable, "rb") as f:
        head = f.read(64)
        if head[:4] != b"\x7fELF" or head[4] != 2:  # 64-bit only: x86_64 and aarch64
            return None
        (phoff,) = struct.unpack_from("<Q", head, 32)
        phentsize, phnum = struct.unpack_from("<HH", head, 54)
        for i in range(phnum):
            f.seek(phoff + i * phentsize)
            kind, _flags, offset, _vaddr, _paddr, size = struct.unpack("<IIQQQQ", f.read(40))
            if kind == 3:  # PT_INTERP
                f.seek(offset)
                return f.read(size).rstrip(b"\0").decode()
    return None


def needed_folders(prefix, executable):
    """The folders to bind: ``prefix``, the loader's and those of every mapped file."""
    found = {os.path.realpath(prefix)}
    loader = elf_interpreter(executable)
    if loader:
        # Its path as the executable names it, through links (/lib64 -> usr/lib64), and its file.
        found.add(os.path.realpath(os.path.dirname(loader)))
        found.add(os.path.dirname(os.path.realpath(loader)))
    with open("/proc/self/maps") as maps:
        for line in maps:
            name = line.split(maxsplit=5)[-1].strip()
            if name.startswith("/") and os.path.isfile(name):
                found.add(os.path.dirname(os.path.realpath(name)))
    for extra in ("/usr/lib/locale", "/etc/ld.so.cache"):
        if os.path.exists(extra):
            found.add(extra)
    # Drop what an outer folder already holds.
    ordered = sorted(found)
    return [p for p in ordered if not any(p.startswith(q + "/") for q in ordered if q != p)]


def _bind_readonly(kernel, source, target):
    if os.path.isdir(source):
        os.makedirs(target, exist_ok=True)
    else:
        os.makedirs(os.path.dirname(target), exist_ok=True)
        _write(target, "")
    kernel.mount(source, target, None, MS_BIND | MS_REC)
    kernel.mount(None, target, None, MS_REMOUNT | MS_BIND | MS_RDONLY | SAFE)


def _hide(kernel, folder, new):
    """An empty read-only tmpfs over ``folder`` (the grader's package, when under the prefix)."""
    target = new + folder
    if os.path.isdir(target):
        kernel.mount("hidden", target, "tmpfs", SAFE | MS_NOEXEC | MS_RDONLY, "size=4k")


def enter_own_root(kernel, prefix, executable, hidden):
    """Build the minimal root and move this process (the zygote) into it for good."""
    uid, gid = os.getuid(), os.getgid()
    if uid == 0:
        kernel.unshare(CLONE_NEWNS)
    else:
        kernel.unshare(CLONE_NEWUSER | CLONE_NEWNS)
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{uid} {uid} 1")
        _write("/proc/self/gid_map", f"{gid} {gid} 1")
    kernel.mount(None, "/", None, MS_REC | MS_PRIVATE)
    folders = needed_folders(prefix, executable)
    new = STAGE
    kernel.mount("sandbox-root", new, "tmpfs", SAFE, "size=1m,mode=0755")
    for folder in folders:
        _bind_readonly(kernel, folder, new + folder)
    for link in ("lib", "lib64", "lib32", "bin"):
        if os.path.islink("/" + link):  # merged /usr: the loader's paths go through these
            os.symlink(os.readlink("/" + link), f"{new}/{link}")
    for folder in hidden:
        _hide(kernel, folder, new)
    os.makedirs(new + "/etc", exist_ok=True)
    _write(new + "/etc/hosts", HOSTS)
    _write(new + "/etc/nsswitch.conf", NSSWITCH)
    os.mkdir(new + SCRATCH, 0o755)
    os.mkdir(new + "/proc", 0o555)
    os.mkdir(new + "/dev", 0o755)
    kernel.mount("sandbox-dev", new + "/dev", "tmpfs", MS_NOSUID | MS_NOEXEC, "size=4k,mode=0755")
    for name in DEVICES:
        _write(f"{new}/dev/{name}", "")
        kernel.mount(f"/dev/{name}", f"{new}/dev/{name}", None, MS_BIND)
    os.mkdir(new + "/dev/shm", 0o1777)
    for name, target in (("fd", "/proc/self/fd"), ("stdin", "/proc/self/fd/0")):
        os.symlink(target, f"{new}/dev/{name}")
    os.symlink("/proc/self/fd/1", f"{new}/dev/stdout")
    os.symlink("/proc/self/fd/2", f"{new}/dev/stderr")
    kernel.mount(None, new + "/dev", None, MS_REMOUNT | MS_NOSUID | MS_NOEXEC | MS_RDONLY)
    kernel.mount("/proc", new + "/proc", None, MS_BIND | MS_REC)
    kernel.mount(None, new, None, MS_REMOUNT | SAFE | MS_RDONLY)
    os.chdir(new)
    kernel.pivot_root(".", ".")  # the old root ends up stacked on the new one: detach it
    kernel.umount(".", MNT_DETACH)
    os.chdir("/")


def finish_run_root(kernel, scratch_kb, shm_kb):
    """Per run (PID 1 of the run's namespaces): scratch, /dev/shm, a fresh /proc, /proc/sys ro."""
    scratch = f"size={scratch_kb}k,nr_inodes={SCRATCH_INODES},mode=0700"
    kernel.mount("scratch", SCRATCH, "tmpfs", SAFE, scratch)
    shm = f"size={shm_kb}k,nr_inodes={SHM_INODES},mode=1777"
    kernel.mount("shm", "/dev/shm", "tmpfs", SAFE | MS_NOEXEC, shm)
    kernel.mount("proc", "/proc", "proc", SAFE | MS_NOEXEC)
    kernel.mount("/proc/sys", "/proc/sys", None, MS_BIND | MS_REC)
    kernel.mount(None, "/proc/sys", None, MS_REMOUNT | MS_BIND | MS_RDONLY | SAFE | MS_NOEXEC)
    kernel.sethostname("sandbox")
