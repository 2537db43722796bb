# hostile: interrupts itself and catches KeyboardInterrupt, ends a child with SIGTERM; then does problem 2 correctly
import os
import signal
import socket
import time

try:
    os.kill(os.getpid(), signal.SIGINT)  # python script.py: KeyboardInterrupt, here
    time.sleep(2)
    raise SystemExit("SIGINT did not interrupt")
except KeyboardInterrupt:
    pass
child = os.fork()
if child == 0:
    time.sleep(30)
    os._exit(0)
os.kill(child, signal.SIGTERM)  # python script.py: the child ends at once
_, status = os.waitpid(child, 0)
if os.waitstatus_to_exitcode(status) != -signal.SIGTERM:
    raise SystemExit("SIGTERM did not end the child")
with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
