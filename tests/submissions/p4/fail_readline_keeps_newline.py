# expect: fail
# why: Breaks "messages carry no newline": each message from sys.stdin.readline() is sent with its trailing newline.
# fails: sent/trailing_newline
import socket
import sys

n = int(sys.stdin.readline())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        line = sys.stdin.readline()
        client_socket.send(line.encode())
        print(client_socket.recv(1024).decode())
