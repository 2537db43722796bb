# expect: fail
# why: Breaks the exact message rule: it sends 'Wake up, Neo!' with an exclamation mark.
# fails: sent/sent_extra
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up, Neo!'.encode())
