# expect: pass
# why: The with block closes the socket; the output is flushed and the script ends with os._exit(0), a clean end.
import os
import socket
import sys

n = int(input())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode())
sys.stdout.flush()
os._exit(0)
