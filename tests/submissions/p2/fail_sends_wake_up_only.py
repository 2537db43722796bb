# expect: fail
# why: Breaks the exact message rule: only 'Wake up' is sent.
# fails: sent/sent_short
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up'.encode())
