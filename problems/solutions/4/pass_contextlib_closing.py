# expect: pass
# why: The with block is over contextlib.closing(socket.socket()): the block's end closes the socket.
import contextlib
import socket

n = int(input())
with contextlib.closing(socket.socket()) as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode())
