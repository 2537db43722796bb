# expect: fail
# why: Breaks "messages carry no newline": sys.stdin.readline() keeps the trailing newline, which gets sent.
# fails: sent/trailing_newline
import socket
import sys

message = sys.stdin.readline()
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(message.encode())
    print(client_socket.recv(1024).decode())
