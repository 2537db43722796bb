# expect: pass
# why: Connects to localhost:9090 inside a with block, which closes the socket on leaving it.
import socket

with socket.socket() as sock:
    sock.connect(('localhost', 9090))
