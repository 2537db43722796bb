# expect: fail
# why: Breaks "clean end": sendall() gets a str instead of bytes and raises TypeError.
# fails: sent/send_str
import socket

with socket.socket() as s:
    s.connect(('localhost', 9090))
    s.sendall('Wake up, Neo')
