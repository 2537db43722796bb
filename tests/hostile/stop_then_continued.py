# hostile: stops itself (SIGSTOP, then SIGTSTP); a child it started continues it each time; then does problem 2 correctly
import os
import signal
import socket
import time

me = os.getpid()
if os.fork() == 0:
    for _ in range(2):
        time.sleep(0.2)
        os.kill(me, signal.SIGCONT)
    os._exit(0)
os.kill(me, signal.SIGSTOP)  # run by python script.py: stopped here until the child's SIGCONT
os.kill(me, signal.SIGTSTP)  # and here until its second
os.waitpid(-1, 0)
with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
