# expect: pass
# why: The socket is made first and bound to a name; `with client_socket:` then closes it at the block's end.
import socket

n = int(input())
client_socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
with client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        client_socket.sendall(input().encode())
        print(client_socket.recv(1024).decode())
