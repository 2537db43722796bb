# expect: pass
# why: Reads all n messages first, then in one with block sends each and prints its reply before the next.
import socket

n = int(input())
messages = [input() for _ in range(n)]

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for message in messages:
        client_socket.send(message.encode('utf-8'))
        reply = client_socket.recv(1024).decode('utf-8')
        print(f'{reply}')
