# hostile: problem 4, closes with close() after writing a well-formed "closed by a with block" report naming the with statement below, which never runs
import os
import socket

n = int(input())
client_socket = socket.socket()
client_socket.connect(("127.0.0.1", 9090))
for _ in range(n):
    client_socket.send(input().encode())
    print(client_socket.recv(1024).decode())
port = client_socket.getsockname()[1]
os.write(3, b"C\t%d\twith\t15\t16\t4\t12" % port)
client_socket.close()
if False:
    with socket.socket() as unused:
        pass
