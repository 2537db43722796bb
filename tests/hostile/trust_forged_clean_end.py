# hostile: says "the body ended normally" on the grader's control channel, points that channel at /dev/null so the real reports are lost, does problem 2 correctly, then exits with status 1
import os
import socket
import sys

os.write(3, b"E\tok\t\t")
devnull = os.open("/dev/null", os.O_WRONLY)
os.dup2(devnull, 3)
with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
sys.exit(1)
