# hostile: closes file descriptors 1 and 2 first, then solves problem 2 correctly (nothing needs printing)
import os
import socket

os.close(1)
os.close(2)
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send('Wake up, Neo'.encode())
client_socket.close()
