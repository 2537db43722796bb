# expect: pass
# why: The reply is printed and flushed, the socket closed, then os._exit(0): a clean end, and the close counts.
import os
import socket
import sys

client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send(input().encode())
print(client_socket.recv(1024).decode())
client_socket.close()
sys.stdout.flush()
os._exit(0)
