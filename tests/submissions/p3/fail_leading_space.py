# expect: fail
# why: Breaks "nothing else is forgiven": a space is printed before the reply; only trailing whitespace is forgiven.
# fails: output/extra_output
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(input().encode())
    print('', client_socket.recv(1024).decode())
