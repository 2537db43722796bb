# expect: fail
# why: Sends b'Wake up, Neo\n': messages carry no newline.
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up, Neo\n'.encode())
