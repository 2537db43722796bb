# expect: fail
# why: Problem 1 sends nothing, but this script sends b'hello' before closing.
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(b'hello')
