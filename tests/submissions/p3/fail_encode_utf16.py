# expect: fail
# why: Breaks "encoded as UTF-8": the message is encoded as UTF-16.
# fails: sent/wrong_encoding
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(input().encode('utf-16'))
    print(client_socket.recv(1024).decode())
