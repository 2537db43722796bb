# hostile: (routed mode) leaves a process in its own session that holds the control channel, stdout and stderr and writes to them for five minutes; does problem 2 correctly itself
import os
import socket
import sys

WRITER = """
import os, time
end = time.monotonic() + 300
while time.monotonic() < end:
    for fd, data in ((3, b"E\\tok\\t\\t"), (1, b"PASSED\\n"), (2, b"noise\\n")):
        try:
            os.write(fd, data)
        except OSError:
            pass
    time.sleep(0.2)
"""
if os.fork() == 0:
    os.setsid()
    if os.fork() == 0:
        for fd in (1, 2, 3):
            os.set_inheritable(fd, True)
        os.execv(sys.executable, [sys.executable, "-c", WRITER, "MARKER-__MARKER__"])
    os._exit(0)

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
