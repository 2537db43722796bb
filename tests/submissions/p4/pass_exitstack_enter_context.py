# expect: pass
# why: The socket is entered into a contextlib.ExitStack whose with block ends after the loop: the block's end closes the socket.
import contextlib
import socket

n = int(input())
with contextlib.ExitStack() as stack:
    client_socket = stack.enter_context(socket.socket())
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode())
