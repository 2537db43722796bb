# expect: pass
# why: The with block closes the socket, then os._exit(0) ends the process: a clean end, and what it closed counts as closed.
import os
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send('Wake up, Neo'.encode())
os._exit(0)
