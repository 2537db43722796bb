# hostile: takes memory and disk past the limits through memfd_create, fallocate(KEEP_SIZE) and /dev/shm; sends like a correct problem 2 only when each was refused or capped (exit status 3 if one got through)
import ctypes
import os
import socket
import sys

libc = ctypes.CDLL(None, use_errno=True)
FALLOC_FL_KEEP_SIZE = 1
escaped = []
try:
    fd = os.memfd_create("hog")
    escaped.append("memfd_create")
    os.close(fd)
except OSError:
    pass
fd = os.open("reserved", os.O_WRONLY | os.O_CREAT, 0o600)
if libc.fallocate(fd, FALLOC_FL_KEEP_SIZE, ctypes.c_long(0), ctypes.c_long(3 << 30)) == 0:
    escaped.append("fallocate 3 GiB")
try:
    os.posix_fallocate(fd, 0, 1 << 30)
    escaped.append("posix_fallocate 1 GiB")
except OSError:
    pass
os.close(fd)
chunk = b"x" * (1 << 20)
written = 0
try:
    with open("/dev/shm/hog", "wb") as f:
        for _ in range(256):  # 256 MiB, far past the small /dev/shm
            f.write(chunk)
            f.flush()
            written += 1
except OSError:
    pass
if written >= 64:
    escaped.append(f"/dev/shm took {written} MiB")
if escaped:
    sys.stderr.write(f"escaped: {escaped}\n")

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
sys.exit(3 if escaped else 0)
