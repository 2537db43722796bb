# expect: fail
# why: Breaks "text is UTF-8": encode('ascii') raises UnicodeEncodeError on the non-ASCII and emoji inputs.
# fails: output/decoded_wrong
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(input().encode('ascii'))
    print(client_socket.recv(1024).decode('ascii'))
