# expect: pass
# why: The reply is followed by a tab and two empty lines; trailing whitespace of the output is forgiven.
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(input().encode())
    print(client_socket.recv(1024).decode() + '\t\n\n')
