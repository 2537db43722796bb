# expect: fail
# why: Breaks "one connection only": a new with-block connection is opened for every message.
# fails: connected/too_many_connections
import socket

n = int(input())
for _ in range(n):
    message = input()
    with socket.socket() as client_socket:
        client_socket.connect(('127.0.0.1', 9090))
        client_socket.send(message.encode())
        print(client_socket.recv(1024).decode())
