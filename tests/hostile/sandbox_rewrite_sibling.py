# hostile: one file of a batch rewrites a classmate's file (the test fills in __TARGET__) so that it fails, and plants a threading.py beside it; then does problem 2 correctly
import os
import socket

for path, text in (
    ("__TARGET__", "import sys\nsys.exit(1)\n"),
    (os.path.join(os.path.dirname("__TARGET__"), "select.py"), "raise SystemExit(1)\n"),
):
    try:
        with open(path, "w") as f:
            f.write(text)
    except OSError:
        pass

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
