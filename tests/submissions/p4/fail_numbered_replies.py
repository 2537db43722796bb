# expect: fail
# why: Breaks the output rule: each reply is printed with an extra 'Reply N:' prefix.
# fails: output/extra_output
import socket

n = int(input())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for i in range(n):
        client_socket.send(input().encode())
        reply = client_socket.recv(1024).decode()
        print(f'Reply {i + 1}: {reply}')
