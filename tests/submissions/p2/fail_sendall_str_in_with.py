# expect: fail
# why: Breaks "clean end": sendall() gets a str instead of bytes and raises TypeError.
import socket

with socket.socket() as s:
    s.connect(('localhost', 9090))
    s.sendall('Wake up, Neo')
