# hostile: connects to a Unix socket on disk that a program of the grading user listens on (a tmux or docker socket, say; the test fills in __TARGET__) and asks it to run a command; sends like a correct problem 2 only when the connect failed (exit status 3 if it worked)
import socket
import sys

escaped = False
try:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as u:
        u.connect("__TARGET__")
        u.sendall(b"run-shell 'touch /tmp/owned'\n")
        escaped = True
except OSError:
    pass
try:
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as u:
        u.connect("\0__MARKER__")  # an abstract name: the host's network namespace only
        escaped = True
except OSError:
    pass
if escaped:
    sys.stderr.write("escaped: reached a Unix socket outside the sandbox\n")

with socket.socket() as s:
    s.connect(("127.0.0.1", 9090))
    s.send(b"Wake up, Neo")
sys.exit(3 if escaped else 0)
