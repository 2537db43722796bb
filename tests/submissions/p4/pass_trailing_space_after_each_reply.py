# expect: pass
# why: Each reply is printed with a space after it; trailing whitespace of every line is forgiven.
import socket

n = int(input())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode(), '')
