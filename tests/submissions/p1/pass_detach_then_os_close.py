# expect: pass
# why: The script takes the descriptor with detach() and closes it with os.close() while it runs: the program itself released the socket.
import os
import socket

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
fd = client_socket.detach()
os.close(fd)
