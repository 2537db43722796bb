# expect: fail
# why: Breaks "the with block closes the connection": no with block, the socket is closed by close() in finally.
# fails: closed/not_with
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
