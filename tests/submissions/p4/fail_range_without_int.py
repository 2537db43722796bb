# expect: fail
# why: Breaks "clean end": range(input()) gets a str, so the script dies with TypeError.
# fails: sent/sent_nothing_crash
import socket

n = input()
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode())
