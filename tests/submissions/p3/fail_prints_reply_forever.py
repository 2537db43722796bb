# expect: fail
# why: Breaks "print the reply" and the output limit: the print sits in a loop that never ends.
# fails: output/output_too_long
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(input().encode())
    reply = client_socket.recv(1024).decode()
    while True:
        print(reply)
