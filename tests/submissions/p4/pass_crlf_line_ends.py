# expect: pass
# why: Each reply ends its line with '\r\n'; the '\r' is trailing whitespace of the line, forgiven.
import socket
import sys

n = int(input())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        client_socket.send(input().encode())
        sys.stdout.write(client_socket.recv(1024).decode() + '\r\n')
