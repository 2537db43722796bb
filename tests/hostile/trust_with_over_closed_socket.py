# hostile: problem 4, closes its socket with close(), then runs a with block over the socket already closed
n = int(input())
import socket

client_socket = socket.socket()
client_socket.connect(("127.0.0.1", 9090))
for _ in range(n):
    client_socket.send(input().encode())
    print(client_socket.recv(1024).decode())
client_socket.close()
with client_socket:
    pass
