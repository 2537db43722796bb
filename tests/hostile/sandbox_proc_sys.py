# hostile: writes kernel settings through /proc/sys (core_pattern, hostname, overcommit: each the value it read, so a success changes nothing) and creates a file and a device node in /dev; sends like a correct problem 2 only when every attempt failed (exit status 3 if one worked)
import os
import socket
import stat
import sys

escaped = []
for name in ("kernel/core_pattern", "kernel/hostname", "vm/overcommit_memory"):
    path = "/proc/sys/" + name
    try:
        with open(path) as f:
            value = f.read()
        with open(path, "w") as f:
            f.write(value)  # the same value: even a success would change nothing
        escaped.append(f"wrote {path}")
    except OSError:
        pass
try:
    with open("/dev/__MARKER__", "w") as f:
        f.write("left behind")
    escaped.append("created a file in /dev")
except OSError:
    pass
try:
    os.mknod("/dev/__MARKER__-node", stat.S_IFCHR | 0o666, os.makedev(1, 3))
    escaped.append("created a device node in /dev")
except OSError:
    pass
if escaped:
    sys.stderr.write(f"escaped: {escaped}\n")

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
sys.exit(3 if escaped else 0)
