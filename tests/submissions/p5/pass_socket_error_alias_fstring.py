# expect: pass
# why: socket.error is an alias of OSError, so the refusal is caught; the reply is decoded and printed via an f-string.
import socket

try:
    with socket.socket() as s:
        s.connect(('localhost', 9090))
        s.send(b'Wake up, Neo')
        reply = s.recv(1024).decode()
        print(f'{reply}')
except socket.error:
    print('Connection refused')
