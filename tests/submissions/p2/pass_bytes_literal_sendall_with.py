# expect: pass
# why: sendall of the bytes literal b'Wake up, Neo' inside a with block that closes the socket.
import socket

with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
    s.connect(('127.0.0.1', 9090))
    s.sendall(b'Wake up, Neo')
