# expect: pass
# why: A helper sends one message and returns the decoded reply; it is called n times inside one with block.
import socket


def exchange(sock, text):
    sock.sendall(text.encode('utf-8'))
    return sock.recv(1024).decode('utf-8')


n = int(input())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        print(exchange(client_socket, input()))
