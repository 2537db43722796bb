# expect: fail
# why: Breaks "the first line is n": int() is given all of standard input, so it raises ValueError before connecting.
# fails: connected/crashed_before_connect
import socket
import sys

n = int(sys.stdin.read())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode())
