# hostile: saved as threading.py in a batch folder: a correct problem 2 when run, and when any other run imports it (as the sandbox once did after a script's body) it ends that run with status 1
import socket

if __name__ != "__main__":
    import os

    os._exit(1)

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
