# expect: fail
# why: Breaks "the server sees an orderly close": the with block closes the socket, but SO_LINGER 0 makes that a reset (RST).
# fails: closed/reset
import socket
import struct

n = int(input())
with socket.socket() as client_socket:
    client_socket.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n):
        client_socket.send(input().encode())
        print(client_socket.recv(1024).decode())
