# hostile: undoes read-only mounts (non-recursive mount_setattr, MS_REMOUNT|MS_BIND, umount), makes new user namespaces (unshare, clone) and writes into the interpreter's installation and the grader's package; connects and sends like a correct problem 2 only when every attempt failed (exit status 3 if one worked)
import ctypes
import os
import socket
import sys

libc = ctypes.CDLL(None, use_errno=True)
TARGET = "__TARGET__"  # a folder of the interpreter's installation, as the host names it
PACKAGE = "__PACKAGE__"  # the grader's own package, as the host names it
MS_REMOUNT, MS_BIND, MNT_DETACH, MOUNT_ATTR_RDONLY = 32, 4096, 2, 1
NR_MOUNT_SETATTR = 442
escaped = []


def mount_setattr(path):
    attr = (ctypes.c_uint64 * 4)(0, MOUNT_ATTR_RDONLY, 0, 0)  # clear the read-only flag
    return libc.syscall(NR_MOUNT_SETATTR, -100, path.encode(), 0, ctypes.byref(attr), 32)


for path in ("/", TARGET, "/proc/sys", "/dev"):
    if mount_setattr(path) == 0:
        escaped.append(f"mount_setattr {path}")
    if libc.mount(None, path.encode(), None, MS_REMOUNT | MS_BIND, None) == 0:
        escaped.append(f"remount {path}")
for path in ("/proc", "/dev", TARGET):
    if libc.umount2(path.encode(), MNT_DETACH) == 0:
        escaped.append(f"umount {path}")
CLONE_NEWUSER, CLONE_NEWNS, SIGCHLD = 0x10000000, 0x20000, 17
if libc.unshare(CLONE_NEWUSER | CLONE_NEWNS) == 0:
    escaped.append("unshare: a new user namespace")
NR_CLONE = {"x86_64": 56, "aarch64": 220}[os.uname().machine]
child = libc.syscall(NR_CLONE, CLONE_NEWUSER | SIGCHLD, 0, 0, 0, 0)
if child == 0:
    os._exit(0)  # the child of a clone that should not have worked
if child > 0:
    os.waitpid(child, 0)
    escaped.append("clone: a new user namespace")
for folder in (TARGET, PACKAGE):
    try:
        with open(os.path.join(folder, "__MARKER__.py"), "w") as f:
            f.write("print('planted')\n")
        escaped.append(f"wrote into {folder}")
    except OSError:
        pass
if escaped:
    sys.stderr.write(f"escaped: {escaped}\n")

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
sys.exit(3 if escaped else 0)
