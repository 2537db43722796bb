# expect: fail
# why: Breaks "clean end": range(n + 1) reads one line more than given, so the last input() raises EOFError.
# fails: clean_end/eof
import socket

n = int(input())
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    for _ in range(n + 1):
        message = input()
        client_socket.send(message.encode())
        print(client_socket.recv(1024).decode())
