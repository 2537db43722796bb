# hostile: sends SIGINT (and every other signal it may) to PID 1 of its run, its supervisor, then does problem 2 correctly
import os
import signal
import socket
import time

if os.getppid() != 1:  # in a PID namespace the parent is PID 1 (the run's supervisor)
    # Safety net for the test machine: outside a PID namespace this would signal the host's init.
    raise SystemExit(5)
for sig in range(1, signal.SIGRTMAX + 1):
    if sig not in (signal.SIGKILL, signal.SIGSTOP):
        try:
            os.kill(1, sig)
        except OSError:
            pass
time.sleep(0.2)  # time for PID 1 to act on them, if it would
with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
