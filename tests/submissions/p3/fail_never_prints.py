# expect: fail
# why: Breaks "print the reply": the reply is received into a variable and never printed.
# fails: output/printed_nothing
import socket

with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(input().encode())
    reply = client_socket.recv(1024).decode()
