# expect: fail
# why: Breaks "messages carry no newline": it sends b'Wake up, Neo\n'.
# fails: sent/trailing_newline
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up, Neo\n'.encode())
