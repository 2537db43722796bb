# expect: fail
# why: Breaks "the replies, one per line": print(..., end=' ') puts all replies on one line.
# fails: output/replies_one_line
import socket

n = int(input())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode(), end=' ')
print()
