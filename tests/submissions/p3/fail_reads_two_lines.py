# expect: fail
# why: Breaks "clean end": it reads a second line with input(), but the input is one line, so input() raises EOFError.
# fails: connected/crashed_before_connect
import socket

message = input()
extra = input()
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send((message + extra).encode())
    print(client_socket.recv(1024).decode())
