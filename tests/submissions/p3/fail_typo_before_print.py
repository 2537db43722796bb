# expect: fail
# why: Breaks "clean end": a misspelt method (.uper()) raises AttributeError after the reply arrives, before anything is printed.
# fails: output/printed_nothing_crash
import socket

message = input()
with socket.socket() as client_socket:
    client_socket.connect(('127.0.0.1', 9090))
    client_socket.send(message.encode())
    reply = client_socket.recv(1024).decode()
    print(reply.uper())
