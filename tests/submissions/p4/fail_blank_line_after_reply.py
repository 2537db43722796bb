# expect: fail
# why: Breaks the output rule: print(..., end='\n\n') puts a blank line between the replies.
# fails: output/blank_lines
import socket

n = int(input())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode(), end='\n\n')
