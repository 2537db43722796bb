# expect: fail
# why: Breaks "the with block closes the connection": the socket is closed with close() first; the with block after it runs over a socket already closed.
# fails: closed/not_with
import socket

n = int(input())
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
for _ in range(n):
    client_socket.send(input().encode())
    print(client_socket.recv(1024).decode())
client_socket.close()
with client_socket:
    pass
