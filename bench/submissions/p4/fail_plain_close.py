# expect: fail
# why: Closes with close() in try/finally instead of leaving a with block.
import socket

n = int(input())
client_socket = socket.socket()
try:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode())
finally:
    client_socket.close()
