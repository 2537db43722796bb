# hostile: does problem 3's exchange, then writes 300 MB to stdout in a loop
import socket
import sys

message = input()
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send(message.encode())
print(client_socket.recv(1024).decode())
client_socket.close()
chunk = 'x' * 65536
for _ in range(300 * 16):
    sys.stdout.write(chunk)
