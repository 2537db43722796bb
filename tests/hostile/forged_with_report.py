# hostile: problem 4 closed by a plain close(), then a forged "closed by its with block" report written to the grader's control channel (fd 3)
# fails: untampered/tampered
import os
import socket

n = int(input())
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
for _ in range(n):
    client_socket.send(input().encode())
    print(client_socket.recv(1024).decode())
port = client_socket.getsockname()[1]
client_socket.close()
os.write(3, b'C\t%d\twith' % port)
