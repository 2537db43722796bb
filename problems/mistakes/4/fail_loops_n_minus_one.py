# expect: fail
# why: Breaks "each of the n messages": range(1, n) loops only n - 1 times, so the last message is never sent.
# fails: sent/sent_nothing
import socket

n = int(input())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for i in range(1, n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode())
