# expect: fail
# why: Opens a new connection for every message instead of one.
import socket

n = int(input())
for _ in range(n):
    with socket.socket() as client_socket:
        client_socket.connect(('127.0.0.1', 9090))
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode())
