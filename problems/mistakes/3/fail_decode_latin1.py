# expect: fail
# why: Breaks "print it decoded": the UTF-8 reply is decoded as latin-1, so its non-ASCII letters come out garbled.
# fails: output/decoded_wrong
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(input().encode())
    print(client_socket.recv(1024).decode('latin-1'))
